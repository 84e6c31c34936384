import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { World } from '../support/model/world.js';
import { checkWorld, type CommandEffects } from '../support/model/checks.js';
import { applyChange, describeChanges, homeChange, homeChanges, type HomeChange } from '../support/model/home-changes.js';
import { plexFault, type PlexFault } from '../support/model/faults.js';
import { foreignConfigs } from '../support/model/broker-model.js';
import { modelRunOptions } from '../support/model/replay.js';

// Model-based test, in process (#9): the real poll loop on a fake clock against an in-memory broker, driven by
// random sequences of plex.tv changes and faults, broker and daemon restarts, Home Assistant births, Refresh
// presses and foreign configs. After every command the broker must hold exactly what the model says.
// A failure prints its seed and shrunk sequence; replay with MODEL_SEED, MODEL_PATH (see the README).

type Cmd = fc.AsyncCommand<object, World>;

/** One command: what it does, and what the checks must expect of it. */
function command(label: string, act: (world: World) => Promise<CommandEffects | void> | CommandEffects | void): Cmd {
  return {
    check: () => true,
    async run(_model, world) {
      commandsRun += 1;
      const effects = (await act(world)) ?? {};
      await world.settle();
      checkWorld(world, effects);
    },
    toString: () => label,
  };
}

let commandsRun = 0;
const SECOND = 1_000;

const plexChange = (changes: readonly HomeChange[]): Cmd =>
  command(`plex.tv: ${describeChanges(changes)}`, (world) => {
    world.plex = changes.reduce(applyChange, world.plex);
  });
const fault = (kind: PlexFault | null): Cmd => command(`plex.tv ${kind ?? 'healthy'}`, (world) => void (world.fault = kind));
const latency = (ms: number): Cmd => command(`plex.tv answers in ${ms} ms`, (world) => void (world.latencyMs = ms));
const advance = (ms: number): Cmd => command(`wait ${ms / SECOND} s`, (world) => world.advance(ms));
const refresh = (): Cmd =>
  command('press Refresh', (world) => {
    const pollsBefore = world.process?.polls.length ?? 0;
    return { refresh: world.pressRefresh(), pollsBefore, pressedAt: world.clock.now().getTime() };
  });
const haBirth = (): Cmd =>
  command('Home Assistant online', async (world) => {
    world.haBirth();
    await new Promise((resolve) => setTimeout(resolve, 1)); // its random delay is a real timer (0 here)
    return { haBirth: true };
  });
const brokerRestart = (keepData: boolean): Cmd =>
  command(`broker restarts ${keepData ? 'with' : 'without'} persistence`, (world) => {
    world.brokerDown(keepData);
    world.brokerUp();
  });
const brokerDown = (keepData: boolean): Cmd =>
  command(`broker down (${keepData ? 'persistent' : 'empty when back'})`, (world) => world.brokerDown(keepData));
const brokerUp = (): Cmd => command('broker up', (world) => world.brokerUp());
const blip = (): Cmd => command('connection blip', (world) => world.blip());
const crash = (): Cmd => command('daemon crashes', (world) => world.crash());
const sigterm = (): Cmd => command('SIGTERM', (world) => world.sigterm());
const start = (): Cmd => command('daemon starts', (world) => world.startDaemon());
const restartDaemon = (): Cmd =>
  command('daemon crashes and restarts', async (world) => {
    await world.crash();
    world.startDaemon();
  });
const foreign = (index: number): Cmd =>
  command(`foreign config ${index}`, (world) => {
    const config = foreignConfigs('homeassistant')[index % 3];
    if (config) world.publishForeign(config.topic, config.payload);
  });

const commands: fc.Arbitrary<Cmd>[] = [
  homeChanges.map(plexChange),
  homeChange.map((change) => plexChange([change])),
  plexFault.map(fault),
  fc.constantFrom(0, 0, 1_500, 3_000).map(latency),
  fc.constantFrom(500, 1_500, 5_000, 10_000, 60_000, 60_000, 180_000, 600_000).map(advance),
  fc.constant(null).map(refresh),
  fc.constant(null).map(refresh),
  fc.constant(null).map(haBirth),
  fc.boolean().map(brokerRestart),
  fc.boolean().map(brokerDown),
  fc.constant(null).map(brokerUp),
  fc.constant(null).map(blip),
  fc.constant(null).map(crash),
  fc.constant(null).map(sigterm),
  fc.constant(null).map(start),
  fc.constant(null).map(start),
  fc.constant(null).map(restartDaemon),
  fc.nat({ max: 2 }).map(foreign),
];

async function runSequence(seed: number, sequence: Iterable<Cmd>): Promise<void> {
  const world = new World(seed);
  world.startDaemon();
  await world.settle();
  checkWorld(world);
  try {
    await fc.asyncModelRun(() => ({ model: {}, real: world }), sequence);
  } finally {
    await world.crash();
  }
}

describe('the daemon against a model of what the broker must hold (in process)', () => {
  it('holds every invariant through 10,000 random commands', async () => {
    commandsRun = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.commands(commands, { maxCommands: 100, size: 'max', ...modelRunOptions.commands }), runSequence),
      // Sequences are 0-100 commands long (about 50 on average): 220 runs fell short of 10,000 about one run in
      // 130 (a red CI by chance); 250 make the 10,000 with a margin of over five standard deviations.
      modelRunOptions.assert({ numRuns: 250 }),
    );
    if (!modelRunOptions.replaying) expect(commandsRun).toBeGreaterThanOrEqual(10_000);
    expect(Date.now() - started).toBeLessThan(60_000);
    process.stdout.write(`model (in process): ${commandsRun} commands in ${Date.now() - started} ms\n`);
  }, 120_000);

  // The defects of #9, as fixed sequences that run every time.
  it('regression: a Refresh press during a running poll leads to one more poll as soon as it ends', async () => {
    await runSequence(1, [latency(3_000), advance(60_000), advance(1_500), plexChange([{ op: 'join', candidate: 0 }]), refresh(), advance(1_500), advance(3_000)]);
  });

  // Seed -400421156 (MODEL_RUNS=2000): two answers within one command, the second without the avatar the first
  // had; the broker rightly keeps the avatar as its platform alone, which the model must see too.
  it('regression: a component two answers in one command add and drop stays as its platform alone', async () => {
    await runSequence(3, [
      crash(), plexChange([{ op: 'join', candidate: 0 }, { op: 'leave', pick: 0 }]), latency(3_000), start(),
      plexChange([{ op: 'details', pick: 1, thumb: false, updatedAt: null }, { op: 'flag', pick: 0, flag: 'admin' }]), refresh(), advance(60_000),
    ]);
  });

  it('regression: restarted during a plex.tv outage, then the broker restarts empty: nobody disappears', async () => {
    await runSequence(2, [sigterm(), fault('server'), start(), advance(60_000), brokerRestart(false), advance(5_000), fault(null), advance(180_000)]);
  });
});
