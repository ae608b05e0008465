/** The final solve's thresholds: which engine runs on which pool, and what share of the time each phase gets. */

/** Lagrangian evaluations for a pool's bound when its time ran out before any (milliseconds at 100000x300). */
export const QUICK_BOUND_EVALUATIONS = 6;
/** HiGHS' absolute stopping gap (our tolerance, tolerance.ts, is judged after it). */
export const NUMERIC_ABS_GAP = 1e-7;

/** Engine thresholds per pool, in binaries (eligible account-rep pairs), chosen by measurement (bench/). */
export const ENGINE_LIMITS = {
  /**
   * javascript-lp-solver in auto mode: 0 (never) while HiGHS loads. Measured: a 63-binary departure pool
   * stalled for the whole 20 s limit where HiGHS took 0.3 s, and 1000x20 departures hung past the hard
   * kill. It stays available as `engine: 'jslp'` and as the fallback when HiGHS fails.
   */
  jslpMaxBinaries: 0,
  /** Full HiGHS MIP (warm-started from the heuristic) up to this size. */
  mipMaxBinaries: 12_000,
  /** LP relaxation as the lower bound up to this size (above it the LP alone can take minutes). */
  lpMaxBinaries: 150_000,
  /** HiGHS MIP time per pool (auto): base + binaries / rate seconds, and the relative gap it stops at. */
  mipBaseSec: 3,
  mipBinariesPerSec: 500,
  mipRelGap: 0.005,
  /**
   * Share of the time limit the construction + iterated search may use before the exact engines (auto);
   * the search goes on after them with the time left, so the LP bounds of the largest pools come first.
   */
  heuristicTimeShare: 0.15,
  /**
   * The same when every pool is a realignment pool above mipMaxBinaries: the rounded LP answer replaced the
   * greedy start in every such pool measured (5000x50, 20000x100), so the greedy is only the fallback.
   */
  heuristicTimeShareLarge: 0.05,
  /**
   * Pools with no MIP (too large) or a MIP that did not beat the heuristic keep improving with the
   * iterated search for the rest of their time share, up to this many move evaluations per binary.
   */
  continueIlsWorkPerBinary: 100_000,
  /**
   * Realignment pools up to this size above mipMaxBinaries get a warm-started MIP for its bound and answer:
   * this share of their time. Measured at 5000x50, 30 s (the East pool, 13.8k binaries): with 0.3 the MIP
   * found nothing better and the search ended 0.5083 (bound 0.4689); with 0.6 the MIP's answer 0.4803 and the
   * search after it 0.4752. The whole instance: 0.65% -> 0.16% above its bound, same work.
   */
  boundMipMaxBinaries: 60_000,
  boundMipShare: 0.6,
  /** Per-pair LP relaxations with more columns than this use interior point (simplex stalled at 20000x100). */
  ipmMinColumns: 40_000,
  /** Departures with this many binaries in all get their pools' LPs on `lpThreads` threads at once. */
  parallelLpMinBinaries: 100_000,
  /** ... whose threads start before the input is checked from this many accounts (100000x300: 240k binaries). */
  parallelLpMinAccounts: 50_000,
  lpThreads: 2,
  /** The work clock skips a MIP allowed fewer LP iterations than this many times its pool's LP took. */
  mipRootLpFactor: 1.5,
  /** Searches from the rounded LP answer in MIP-size pools, the best kept (solve.ts, the LP-round path). */
  lpRoundStarts: 3,
  /** Integer-rounding cuts on each rep's count deviation (model.ts): 1000x20's LP bound 0.647 → 0.673. */
  countCuts: true,
  /** Share of a pool's time left after its LP that the rounded LP answer's iterated search may use. */
  lpRoundShare: 0.3,
  /**
   * The same for pools small enough for the full MIP (rounded only on short shares, below), and the search's
   * record-to-record slack there (ils.ts; ILS_SLACK elsewhere). Measured at 1000x20, 5 s, nine seeds in one
   * run: mean 0.7033 with 0.3 and 0.02 (the MIP after it rarely improved the answer within 1 s; its bound is
   * no better than what the search reaches), 0.6985 with 0.9 and 0.05 (and the greedy phase cut, below).
   */
  lpRoundMipPoolShare: 0.9,
  /**
   * The same for pools that get the rep-subset search (repLnsMinAccounts-repLnsMaxAccounts, below): their
   * search from the rounded answer levels off within it (20000x100's West: 0.853 -> 0.770 in 4.5 s of work,
   * 0.7702 after 1.5 s more), and the subsets gain more with the rest (measured with repLnsBank, below).
   */
  lpRoundSubsetPoolShare: 0.15,
  lpRoundMipPoolIlsSlack: 0.05,
  /**
   * Heuristic share when every pool of an L1 realignment will be LP-rounded because its time share is short
   * (under lpRoundMipPoolMaxShareSec): the greedy is then only the fallback, as for large realignments.
   */
  heuristicTimeShareShort: 0.05,
  /**
   * MIP-size pools: double swaps (pair-exchange.ts) after the rounded answer's search, 20-60 ms. Measured at
   * 1000x20, 5 s, seeds 1-6 in one run: mean 0.6975 -> 0.6965, seed 1 (the bench's) 0.7009 -> 0.6958.
   */
  pairExchange: true,
  /**
   * Pools small enough for the full MIP get the rounding only when their time share is below this. Measured
   * at 1000x20 (same runs): 5 s limit (1.4 s per pool) 1.3-1.9 % above the bound with rounding against
   * 3.4 % without; 20 s limit (5.7 s per pool) 1.5-1.7 % with it against 0.5 % without.
   */
  lpRoundMipPoolMaxShareSec: 6,
  /**
   * ... and 3 s for pools up to quickMipMaxBinaries: the MIP proves those quickly (and ends the solve
   * early), where at 1000x20 (1,900 binaries a pool) it needs 4-11 s for its root alone and a pool of two
   * threads gets 4 s (parallel-pools.ts): 0.249 with the MIP against 0.235 rounded in one pool (measured).
   */
  lpRoundSmallPoolMaxShareSec: 3,
  quickMipMaxBinaries: 1000,
  /**
   * Bucketed pools: fix the single accounts the LP split and solve it again before dealing out (bucket.ts,
   * fixSplitSingles). Not for per-account LPs: at 5000x50 the second LP cost more than it gained (measured).
   */
  lpDive: true,
  /**
   * Realignment pools above this size get the bucketed relaxation (bucket.ts) as their LP: bound and start.
   * 20000x100 (about 110k binaries per pool): LP in 1-4 s where the per-pair LP did not finish in 60 s.
   */
  bucketMinBinaries: 40_000,
  /** ... and below this size (100000x300's 1.08M-binary pools gave 222k bucket columns: LP unsolved in 25 s). */
  bucketMaxBinaries: 400_000,
  /**
   * Departure pools the construction did not prove: an iterated search toward the LP bound before the MIP,
   * up to this many move evaluations per binary (planted books, bound 0: 1000x20 proven in 0.5 s, not 4.5).
   */
  departureSearchWorkPerBinary: 20_000,
  /** Departures: a search toward a perfect split before the LPs, this many move evaluations per binary. */
  perfectSearchWorkPerBinary: 20,
  /** Wall-clock budget of the packing proof when the construction cannot place every account (packing.ts). */
  packingProofMaxMs: 10_000,
  /**
   * Bucketed pools: share of the pool's time left for the MIP with integer whales (bucket.ts). 20000x100 with
   * 0.25: about the same answers (3.2288 over three seeds against 3.2302) but South's bound 0.7735, not 0.7879.
   */
  bucketMipShare: 0.35,
  /**
   * L1 pools with no LP (above bucketMaxBinaries): the release relaxation's LP (release-model.ts) for the bound
   * and the start, instead of the Lagrangian (which stays the fallback). 100000x300's West pool: bound 2.2772
   * against the Lagrangian's 2.2534; from its dealt-out start the search reached 2.3365 in 1e8 move
   * evaluations, where the Lagrangian's start and the pool's whole share had reached 2.3581.
   */
  releaseLp: true,
  /**
   * L1 pools of this many movable accounts: of the time left once the bucket MIP's answer is searched, the
   * iterated search takes all but repLnsShare; a pool whose search still gained at least repLnsSearchTurnGain of
   * its objective per second of work there gets another turn of it (repLnsTurn), then the rep-subset search
   * (rep-lns.ts, subsets of repLnsSize reps) takes the rest (a turn, then to the end), the search whatever the
   * subsets leave. 20000x100, 60 s: the subsets on the last 35% alone 3.2624, 25% 3.2631, 50% 3.2648 (South
   * needs the search's whale moves, East and West the subsets); turns of each, the rest to the one that gained
   * more per millisecond, after 50% of the time 3.2563, 40% 3.2509, 30% 3.2479, 15% 3.2435, none 3.2516 (a pool
   * handed to the search stalled there: South 0.834-0.836 where the subsets reached 0.817-0.828); the search's
   * second turn by its gain (2e-3 per second: South's 2.7e-3, North's 1.2e-3, West's 1.3e-4) 3.2386.
   * The subsets stop with repLnsBank of that time left, banked for the time left (time-left.ts), which hands it
   * to the pools furthest from their bound. 20000x100, 60 s, solver seeds 1-3 (their mean): 3.2415 before;
   * with the subset kinds by their rate (rep-lns.ts) 3.2392; and the search's first turn cut to 5% and the
   * rounded answer's search to lpRoundSubsetPoolShare 3.2367; with a bank of 30% 3.2320, 50% 3.2302 (seed 1:
   * 3.2278), 70% 3.2301; the bank by the square of the distance 3.2293 (within the seeds' spread, not kept).
   * Books 2 and 3 of the same size: 4.8569 -> 4.8516 and 5.5849 -> 5.5796.
   */
  repLnsMinAccounts: 1_500,
  repLnsMaxAccounts: 10_000,
  repLnsShare: 0.95,
  repLnsTurn: 0.15,
  repLnsSearchTurnGain: 2e-3,
  repLnsSize: 2,
  repLnsBank: 0.5,
};
