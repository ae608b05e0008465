/** Writing an import's records while the file is still being read: one batch in flight, in file order. */
import type { Tx } from '../../db/client.ts';
import type { ImportScan } from '../../import/scan.ts';
import { type KindWriter, kindWriter, type WriteContext, type Written } from './kind-writers.ts';

/**
 * Batches records and writes batch k while the file is parsed for batch k+1: the database works on its own
 * core while this process reads. At most one write is in flight, so batches apply in file order.
 */
export class PipelinedBatches {
  private batch: { row: number }[] = [];
  private pending: Promise<void> | null = null;

  constructor(
    private readonly writer: KindWriter,
    private readonly size: number,
  ) {}

  /** Returns a promise only when a batch is handed over, so most rows cost no await. */
  add(record: { row: number }): Promise<void> | undefined {
    this.batch.push(record);
    return this.batch.length >= this.size ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.pending) await this.pending;
    const batch = this.batch;
    this.batch = [];
    this.pending = batch.length > 0 ? this.writer.write(batch) : null;
    // Awaited on the next flush or in drain(); this only keeps Node from reporting it unhandled meanwhile.
    this.pending?.catch(() => {});
  }

  async drain(): Promise<Written> {
    await this.flush();
    if (this.pending) await this.pending;
    this.pending = null;
    return this.writer.end();
  }

  /** After a failure elsewhere: let the write in flight settle before the transaction rolls back. */
  async settle(): Promise<void> {
    await this.pending?.catch(() => {});
  }
}

export async function writeAll(tx: Tx, scan: ImportScan, w: WriteContext): Promise<Written> {
  const { report } = scan;
  const batches = new PipelinedBatches(
    kindWriter(tx, report.kind, report.mapping, report.header, w, report.summary.valid),
    w.batchSize,
  );
  try {
    for await (const batch of scan.records(w.batchSize)) {
      for (const record of batch) {
        const handedOver = batches.add(record);
        if (handedOver) await handedOver;
      }
    }
  } catch (error) {
    await batches.settle();
    throw error;
  }
  return batches.drain();
}
