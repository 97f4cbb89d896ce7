/**
 * What a preview found, in the seed's words: progress while it runs, then objects and bytes per
 * class, the strategy advice (§7), the files at risk under each overwrite policy (§6), and the
 * doctor's checks when the connection failed.
 */
import type { JSX } from 'preact';
import { DIFF_CLASSES, type DiffClass } from '../../../shared/diff/diff-inventories.ts';
import type { ClassTotals, RiskTotals } from '../../../shared/diff/summarize-diff.ts';
import type { DoctorReport } from '../../../shared/protocol/views.ts';
import type { ConnectAdvice, PreviewState } from '../../../shared/protocol/extension-protocol.ts';
import { CHECK_STATUS_WORDS, CLASS_LABELS, formatBytes, formatCount, formatDuration, formatRate, plural, sortDoctorChecks } from './preview-format.ts';

export function PreviewProgressView({ state, onCancel, cancelling }: { readonly state: PreviewState; readonly onCancel: () => void; readonly cancelling: boolean }): JSX.Element {
  const progress = state.progress;
  let line: string;
  if (state.status === 'reading-wesendit') {
    line = `Reading WeSendit’s file list: ${plural(state.wesenditObjects, 'entry', 'entries')} so far.`;
  } else if (progress === undefined) {
    line = 'Starting to list the bucket…';
  } else {
    const phase = progress.phase === 'diffing' ? 'Comparing' : 'Listing the bucket';
    line = `${phase}: ${plural(progress.objects, 'object')}, ${formatBytes(progress.bytes)}, ${formatRate(progress.rate)}`;
    if (state.etaMs !== undefined) line += `, about ${formatDuration(state.etaMs)} left`;
    line += '.';
  }
  return (
    <section class="preview-progress" aria-label="Preview progress" aria-busy="true">
      <p role="status">{line}</p>
      <progress aria-label="Preview progress" />
      <button type="button" class="secondary" disabled={cancelling} onClick={onCancel}>
        Cancel
      </button>
    </section>
  );
}

function classBytes(name: DiffClass, totals: ClassTotals): string {
  switch (name) {
    case 'only-in-bucket':
    case 'same':
      return formatBytes(totals.bucketBytes);
    case 'only-in-wesendit':
      return formatBytes(totals.wesenditBytes);
    case 'conflict':
    case 'unknown':
      return `bucket ${formatBytes(totals.bucketBytes)} · WeSendit ${formatBytes(totals.wesenditBytes)}`;
  }
}

export function ClassTable({ classes }: { readonly classes: Readonly<Record<DiffClass, ClassTotals>> }): JSX.Element {
  return (
    <table class="preview-classes" aria-label="Objects per class">
      <thead>
        <tr>
          <th scope="col">What happens</th>
          <th scope="col">Objects</th>
          <th scope="col">Bytes</th>
        </tr>
      </thead>
      <tbody>
        {DIFF_CLASSES.map((name) => (
          <tr key={name} data-class={name}>
            <th scope="row">
              {CLASS_LABELS[name].name}
              <span class="hint"> — {CLASS_LABELS[name].effect}</span>
            </th>
            <td data-objects={classesObjects(classes, name)}>{formatCount(classesObjects(classes, name))}</td>
            <td>{classBytes(name, classes[name])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function classesObjects(classes: Readonly<Record<DiffClass, ClassTotals>>, name: DiffClass): number {
  return classes[name].objects;
}

/** The seed's strategies (§7) and the steps before connecting to a bucket with data (§5). */
export function AdviceView({ advice }: { readonly advice: ConnectAdvice }): JSX.Element {
  if (advice === 'fresh-start') {
    return (
      <section class="advice" aria-labelledby="advice-heading">
        <h3 id="advice-heading">Fresh Start</h3>
        <p>The bucket is empty: no conflicts are possible.</p>
        <ul>
          <li>Connect the new, empty bucket.</li>
          <li>Upload files via WeSendit.</li>
        </ul>
      </section>
    );
  }
  return (
    <section class="advice" aria-labelledby="advice-heading">
      <h3 id="advice-heading">Integrating Existing Data — back up first</h3>
      <p>The bucket already holds data; connecting merges both sides and may overwrite same-name files.</p>
      <ol>
        <li>Create a full backup of the existing bucket.</li>
        <li>Make a note of which files are in the bucket (export the report below).</li>
        <li>Make sure no active uploads or transfers are running.</li>
        <li>Only then connect the storage.</li>
        <li>Review the sync result before making further changes.</li>
      </ol>
    </section>
  );
}

export type RiskPolicy = 'newer-wins' | 'wesendit-wins';

function riskLine(label: string, conflicts: RiskTotals, unknown: RiskTotals, bucketFiles: number | undefined): string {
  const files = bucketFiles === undefined ? plural(conflicts.objects, 'conflicting file') : `${formatCount(bucketFiles)} of ${plural(conflicts.objects, 'conflicting file')} ${bucketFiles === 1 ? 'loses' : 'lose'} the bucket’s copy`;
  let line = `${label}: ${files}; ${formatBytes(conflicts.bytes)} of versions overwritten in all`;
  if (conflicts.undecided > 0) line += ` (${formatCount(conflicts.undecided)} not predictable)`;
  if (unknown.objects > 0) line += `; plus ${plural(unknown.objects, 'unknown file')} (${formatBytes(unknown.bytes)}) if their contents differ`;
  return `${line}.`;
}

export interface AtRiskViewProps {
  readonly state: PreviewState;
  /** Bucket files each policy overwrites (the background's at-risk filter), once known. */
  readonly bucketFiles: { readonly newerWins?: number; readonly wesenditWins?: number };
  readonly onShow: (policy: RiskPolicy) => void;
}

export function AtRiskView({ state, bucketFiles, onShow }: AtRiskViewProps): JSX.Element | null {
  const atRisk = state.summary?.totals.atRisk;
  if (atRisk === undefined) return null;
  const none = atRisk.newerWins.objects === 0 && atRisk.unknownNewerWins.objects === 0;
  return (
    <section aria-labelledby="risk-heading">
      <h3 id="risk-heading">At risk</h3>
      {none ? (
        <p class="ok">No file exists on both sides with different content: nothing would be overwritten.</p>
      ) : (
        <ul class="risk">
          <li data-policy="newer-wins">
            {riskLine('If the newer version wins', atRisk.newerWins, atRisk.unknownNewerWins, bucketFiles.newerWins)}{' '}
            <button type="button" class="link" onClick={() => onShow('newer-wins')}>
              Show files at risk (newer wins)
            </button>
          </li>
          <li data-policy="wesendit-wins">
            {riskLine('If WeSendit’s version wins', atRisk.wesenditWins, atRisk.unknownWesenditWins, bucketFiles.wesenditWins)}{' '}
            <button type="button" class="link" onClick={() => onShow('wesendit-wins')}>
              Show files at risk (WeSendit wins)
            </button>
          </li>
        </ul>
      )}
    </section>
  );
}

export function DoctorView({ report }: { readonly report: DoctorReport }): JSX.Element {
  return (
    <section aria-labelledby="doctor-heading">
      <h3 id="doctor-heading">Connection checks</h3>
      <ul class="doctor">
        {sortDoctorChecks(report.checks).map((check, index) => (
          <li key={`${check.name}-${index}`} class={`check-${check.status}`} data-status={check.status}>
            <strong>
              {CHECK_STATUS_WORDS[check.status]} — {check.name}:
            </strong>{' '}
            {check.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
