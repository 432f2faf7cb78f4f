import { formatComparison, formatValue } from "../experiments/comparison.js";
import type { DemoReport } from "../report/report-data.js";

/** Counts (median popularity) as integers, the rest as formatValue writes them. */
const plainValue = (v: number): string => (Number.isInteger(v) ? String(v) : formatValue(v));

/** What `longtail demo` prints: the before/after table, true relevance, the α sweep and the loop, then where the report went. */
export function demoSummaryText(report: DemoReport, reportPath: string): string {
  const out: string[] = [];
  const c = report.comparison;
  const shown = { ...c, metrics: report.tableMetrics.filter((m) => c.metrics.includes(m)) };
  out.push(`\n${report.about.join("\n")}\n\nBefore (${report.plainLabel}) and after (${report.debiasedLabel}), top ${report.k}; Most Popular for reference:\n`);
  out.push(formatComparison(shown) + "\n");
  if ("data" in report.trueRelevance) {
    out.push(`\nTrue relevance of the top ${report.k} (share of served items the user truly likes; the world's ground truth):\n`);
    for (const row of report.trueRelevance.data) {
      out.push(
        `  ${row.label.padEnd(28)} overall ${row.precision.toFixed(3)}   head ${row.head.toFixed(3)}   tail ${row.tail.toFixed(3)}   (tail share of slots ${row.tailSlotShare.toFixed(3)})\n`,
      );
    }
  } else {
    out.push("\nNo ground truth on real data: true relevance is measured in the synthetic world only.\n");
  }
  if ("data" in report.alphaSweep) {
    const sweep = report.alphaSweep.data;
    const metrics = [sweep.accuracyMetric, sweep.popularityMetric, ...(sweep.truthMetric ? [sweep.truthMetric] : [])];
    out.push(`\nThe α sweep (logit adjustment): ${metrics.join(", ")}\n`);
    for (const p of sweep.points) out.push(`  α = ${String(p.alpha).padEnd(6)}${metrics.map((m) => plainValue(p.metrics[m]).padStart(12)).join("")}\n`);
  }
  const r = report.rerankAgainstAlpha;
  out.push(
    `\nThe plain model re-ranked at serving (score − β·log(1 + count)) against α = ${r.alpha} (${r.accuracyMetric} ${plainValue(r.debiased.accuracy)}, ${r.popularityMetric} ${plainValue(r.debiased.popularity)}):\n`,
  );
  for (const p of r.points) out.push(`  β = ${String(p.beta).padEnd(6)}${plainValue(p.accuracy).padStart(12)}${plainValue(p.popularity).padStart(12)}\n`);
  out.push(
    r.beats
      ? `  β = ${r.beats.beta} beats α = ${r.alpha} on both: ${r.accuracyMetric} ${plainValue(r.beats.accuracy)} (higher), ${r.popularityMetric} ${plainValue(r.beats.popularity)} (lower)\n`
      : `  No β here beats α = ${r.alpha} on both: more accuracy costs more popularity on this curve.\n`,
  );
  if ("data" in report.feedbackLoop) {
    const sim = report.feedbackLoop.data;
    out.push(`\nFeedback loop, round 1 → ${sim.rounds} (${sim.world.users} users × ${sim.world.items} items): served Gini, true precision, log Gini\n`);
    for (const cfg of sim.configurations) {
      const a = cfg.rounds[0]!,
        b = cfg.rounds[cfg.rounds.length - 1]!;
      out.push(
        `  ${cfg.label.padEnd(20)} ${a.gini.toFixed(3)} → ${b.gini.toFixed(3)}   ${a.truePrecision.toFixed(3)} → ${b.truePrecision.toFixed(3)}   ${sim.initialLog.gini.toFixed(4)} → ${b.logGini.toFixed(4)}\n`,
      );
    }
  }
  out.push(`\nReport: ${reportPath} (${report.seconds.toFixed(1)} s)\n`);
  return out.join("");
}
