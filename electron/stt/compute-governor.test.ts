import { describe, expect, it } from 'vitest';
import { describeRealtime } from '../common/stt-protocol';
import { ComputeGovernor, RealtimeMeter } from './compute-governor';

function governor(): ComputeGovernor {
  return new ComputeGovernor({ minStepSeconds: 1, bufferCapSeconds: 15 });
}

describe('ComputeGovernor', () => {
  it('keeps the shortest step while passes are quick, and lengthens it with the pass time', () => {
    const g = governor();
    expect(g.stepSeconds).toBe(1);
    for (let i = 0; i < 5; i++) g.onPass(200, 0.2);
    expect(g.stepSeconds).toBe(1);
    expect(g.level).toBe('normal');
    for (let i = 0; i < 10; i++) g.onPass(720, 0.72);
    // 0.72 s per pass at a duty of 0.45: a pass every 1.6 s of speech.
    expect(g.stepSeconds).toBeCloseTo(1.6, 1);
    expect(g.level).toBe('normal');
    expect(g.bufferCapSeconds).toBe(15);
  });

  it('degrades in order: longer step, shorter buffer, then dropping, one level per pass', () => {
    const g = governor();
    const levels: string[] = [];
    const caps: number[] = [];
    const prompts: unknown[] = [];
    for (const ms of [1000, 1100, 2000, 2600, 3000]) {
      g.onPass(ms, ms / 1000);
      levels.push(g.level);
      caps.push(g.bufferCapSeconds);
      prompts.push(g.promptBudget);
    }
    expect(levels).toEqual(['longer-step', 'longer-step', 'shorter-buffer', 'dropping', 'dropping']);
    expect(caps).toEqual([15, 15, 4, 4, 4]);
    // The prompt keeps its own defaults until the buffer is cut, then is cut too.
    const short = { maxTokens: 64, carryChars: 100 };
    expect(prompts).toEqual([undefined, undefined, short, short, short]);
    // The duty asks for a 5 s step; the lag bound wants the next 3.6 s pass to start at once.
    expect(g.stepSeconds).toBe(1);
  });

  it('drops when the lag passes the hard bound, keeping little enough that the next pass ends inside it', () => {
    const g = governor();
    expect(g.onPass(500, 0.5).drop).toBe(false);
    const decision = g.onPass(3000, 3);
    expect(decision.drop).toBe(true);
    expect(g.level).toBe('dropping');
    expect(decision.keepSeconds).toBeGreaterThanOrEqual(1);
    expect(decision.keepSeconds).toBeLessThanOrEqual(3);
  });

  it('skips levels when the pass time jumps (a neighbour took the cores): the lag bound comes first', () => {
    const g = governor();
    g.onPass(300, 0.3);
    const decision = g.onPass(4000, 4);
    expect(g.level).toBe('dropping');
    expect(decision).toEqual({ drop: true, keepSeconds: 1 });
    // Back to quick passes: the step is short again and nothing more is dropped.
    expect(g.onPass(300, 0.3).drop).toBe(false);
  });

  it('recovers one level at a time after passes with room to spare', () => {
    const g = governor();
    g.onPass(3000, 3);
    expect(g.level).toBe('dropping');
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      g.onPass(150, 0.15);
      if (seen[seen.length - 1] !== g.level) seen.push(g.level);
    }
    expect(seen).toEqual(['dropping', 'shorter-buffer', 'longer-step', 'normal']);
    expect(g.bufferCapSeconds).toBe(15);
    expect(g.stepSeconds).toBe(1);
  });
});

describe('RealtimeMeter', () => {
  it('says keeps-up after a minute of speech at the normal level, with the share of time spent decoding', () => {
    const g = governor();
    const m = new RealtimeMeter();
    for (let t = 0; t < 59; t++) {
      m.addSpeech(1);
      g.onPass(400, 0.4);
      m.addPass(400, 1.4, g.level);
    }
    expect(m.report(g).verdict).toBe('measuring');
    expect(describeRealtime(m.report(g))).toMatch(/^measuring real time \(59 of 60 s/);
    m.addSpeech(1);
    m.addPass(400, 1.4, g.level);
    const r = m.report(g);
    expect(r).toMatchObject({ verdict: 'keeps-up', level: 'normal', rtf: 0.4, measuredSeconds: 60, droppedSeconds: 0 });
    expect(describeRealtime(r)).toBe('keeps up in real time (decoding 40% of speech time)');
  });

  it('says tight when it needed longer steps, and behind at once when audio was dropped', () => {
    const g = governor();
    const m = new RealtimeMeter();
    m.addSpeech(30);
    g.onPass(1200, 1.2);
    m.addPass(1200, 3, g.level);
    m.addSpeech(30);
    m.addPass(1200, 3, g.level);
    expect(m.report(g).verdict).toBe('tight');
    expect(describeRealtime(m.report(g))).toMatch(/^keeps up with longer steps: captions come later \(decoding \d+% of speech time\); now longer step/);
    // With a glossary in the prompt the line names it: the other lever beside the model.
    expect(describeRealtime({ ...m.report(g), glossaryTerms: 15 })).toMatch(
      /^keeps up with longer steps: captions come later \(decoding \d+% of speech time; the prompt carries 15 glossary terms, decoded again in every pass\); now longer step/,
    );

    const g2 = governor();
    const m2 = new RealtimeMeter();
    m2.addSpeech(5);
    g2.onPass(3000, 3);
    m2.addPass(3000, 6, g2.level);
    m2.addDropped(2.5);
    const r = m2.report(g2);
    expect(r).toMatchObject({ verdict: 'behind', level: 'dropping', droppedSeconds: 2.5, maxLagSeconds: 6 });
    expect(describeRealtime(r)).toMatch(/cannot keep up.*now dropping, step \d\.\d s, 2\.5 s of audio dropped/);
    expect(describeRealtime({ ...r, glossaryTerms: 1 })).toMatch(
      /^cannot keep up with this model on this machine: choose a smaller model or a shorter glossary \(the prompt carries 1 glossary term, decoded again in every pass\); now dropping/,
    );
    expect(describeRealtime({ ...r, glossaryTerms: 0 })).toBe(describeRealtime(r));
    // The decoding share goes on counting over the first minute after an early verdict (it read 0.09 for 0.5).
    for (let t = 5; t < 60; t += 5) {
      m2.addSpeech(5);
      m2.addPass(3000, 6, g2.level);
    }
    expect(m2.report(g2)).toMatchObject({ verdict: 'behind', measuredSeconds: 60, rtf: 0.6 });
  });
});
