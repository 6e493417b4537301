import { mount } from 'svelte';
import DisplayApp from './DisplayApp.svelte';

mount(DisplayApp, { target: document.getElementById('app')! });
