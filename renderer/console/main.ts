import { mount } from 'svelte';
import ConsoleApp from './ConsoleApp.svelte';

mount(ConsoleApp, { target: document.getElementById('app')! });
