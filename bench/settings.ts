/**
 * Sizes and durations of a run. `quick` takes about a minute and a half on a 2-core machine (four
 * servers, two rounds, short windows: indicative only); `full` takes about ten minutes and uses the
 * issue's sizes everywhere, three rounds. Windows are long enough for fan-out to 1,000 (about 100
 * messages a second) and logins (about 20 a second on one core) to hold hundreds of samples in a
 * full run. Every count and duration is bounded.
 */
export interface Settings {
  /** 1:1 pairs (2 connections each) and messages in flight per pair, closed loop. */
  pairs: number;
  window: number;
  /** Rounds of the fan-out, throughput and latency scenarios, the layer order rotated each round; figures are medians, ratios taken within a round. */
  rounds: number;
  throughputWarmupMs: number;
  throughputMs: number;
  /** Open-loop rates (msgs/s, over all pairs) for the latency scenario. */
  rates: number[];
  latencyWarmupMs: number;
  latencyMs: number;
  /** How long the open loop waits for the last messages; still missing then = lost at that latency. */
  drainMs: number;
  fanoutSizes: number[];
  fanoutWarmupMs: number;
  fanoutMs: number;
  /** Authenticated idle connections (one user each) for the memory scenario. */
  idleConnections: number;
  /** Settling time after the last connect before memory is read. */
  idleSettleMs: number;
  /** bcrypt cost of the login scenario (the host's default); setup elsewhere uses cost 4. */
  bcryptCost: number;
  loginUsers: number;
  loginConcurrency: number;
  loginWarmupMs: number;
  loginMs: number;
  /** Logins alone (no messaging) first, to separate bcrypt's ceiling from the event loop's share; 0 skips. */
  loginAloneMs: number;
  /** 1:1 open-loop rate kept running while logins run, and its pairs. */
  loginRate: number;
  loginPairs: number;
  historyMessages: number;
  historyIterations: number;
  historyFillBudgetMs: number;
  /** MongoDB fills far slower than memory: it stops here and reports how many it stored. */
  historyMongoFillBudgetMs: number;
  healthTimeoutMs: number;
  /** The whole run is killed (children included) past this. */
  watchdogMs: number;
}

export const QUICK: Settings = {
  pairs: 16,
  window: 8,
  rounds: 2,
  throughputWarmupMs: 300,
  throughputMs: 1200,
  rates: [1000, 2000],
  latencyWarmupMs: 300,
  latencyMs: 1000,
  drainMs: 1000,
  fanoutSizes: [10, 100, 1000],
  fanoutWarmupMs: 250,
  fanoutMs: 1200,
  idleConnections: 1000,
  idleSettleMs: 500,
  bcryptCost: 10,
  loginUsers: 16,
  loginConcurrency: 8,
  loginWarmupMs: 300,
  loginMs: 3000,
  loginAloneMs: 0,
  loginRate: 1000,
  loginPairs: 4,
  historyMessages: 1_000_000,
  historyIterations: 2000,
  historyFillBudgetMs: 8000,
  historyMongoFillBudgetMs: 10_000,
  healthTimeoutMs: 20_000,
  watchdogMs: 150_000,
};

export const FULL: Settings = {
  pairs: 50,
  window: 8,
  rounds: 3,
  throughputWarmupMs: 1500,
  throughputMs: 6000,
  rates: [1000, 2000],
  latencyWarmupMs: 1000,
  latencyMs: 6000,
  drainMs: 3000,
  fanoutSizes: [10, 100, 1000],
  fanoutWarmupMs: 1000,
  fanoutMs: 4000,
  idleConnections: 5000,
  idleSettleMs: 3000,
  bcryptCost: 10,
  loginUsers: 48,
  loginConcurrency: 8,
  loginWarmupMs: 1000,
  loginMs: 15_000,
  loginAloneMs: 5000,
  loginRate: 1000,
  loginPairs: 10,
  historyMessages: 1_000_000,
  historyIterations: 50_000,
  historyFillBudgetMs: 60_000,
  historyMongoFillBudgetMs: 180_000,
  healthTimeoutMs: 30_000,
  watchdogMs: 20 * 60_000,
};
