// Take your AI home, for instructors: the Scratch panel in a group's detail, and next to the
// login cards a printable take-home card per group (QR of the AI's link, the class names
// with their emoji, the secret-test accuracy and the date).
import { useEffect, useState } from "react";
import { percent } from "../lib/api";
import { classLabel } from "../lib/classes";
import { graphql } from "../gql";
import { gql, type ResultOf } from "../lib/graphql";
import { plainText, T, tr, useLang } from "../lib/i18n";
import { latestExportUrl, prepareExport, ScratchPanel } from "../lib/ScratchPanel";
import type { AdminGroup, AdminWorkshop } from "./adminApi";
import { QrCode } from "./QrCode";

const RUNS = graphql(`query TakeHomeRuns($groupId: ID!) {
  groupDetail(groupId: $groupId) { runs { id status testAccuracy finishedAt exportUrl } } }`);
type TakeHomeRun = NonNullable<ResultOf<typeof RUNS>["groupDetail"]>["runs"][number];

async function groupRuns(groupId: string): Promise<TakeHomeRun[]> {
  const data = await gql(RUNS, { groupId });
  return data.groupDetail?.runs ?? [];
}

function useTakeHomeRun(groupId: string): TakeHomeRun | null | undefined {
  const [run, setRun] = useState<TakeHomeRun | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    groupRuns(groupId).then((runs) => {
      const found = latestExportUrl(runs);
      if (live) setRun(found ? runs.find((r) => r.id === found.runId)! : null);
    }, () => live && setRun(null));
    return () => { live = false; };
  }, [groupId]);
  return run;
}

export function GroupScratchPanel({ groupId }: { groupId: string }) {
  const run = useTakeHomeRun(groupId);
  useEffect(() => { if (run) void prepareExport(run.id); }, [run]);
  return run?.exportUrl ? <ScratchPanel url={run.exportUrl} /> : null;
}

function TakeHomeCard({ group, workshop }: { group: AdminGroup; workshop: AdminWorkshop }) {
  const run = useTakeHomeRun(group.id);
  const lang = useLang();
  if (!run?.exportUrl) return null;
  const date = run.finishedAt ? new Date(run.finishedAt).toLocaleDateString(lang === "ja" ? "ja-JP" : "en-GB") : "";
  return (
    <article className="login-card takehome-card" data-testid="takehome-card" data-group-id={group.id}
             style={group.color ? { borderColor: group.color } : undefined}>
      <h2 className="login-card-head">
        <span className="login-card-emoji" aria-hidden="true">{group.emoji}</span>
        <span className="login-card-name">{group.name}</span>
      </h2>
      <p className="takehome-title"><T k="takeHomeTitle" /></p>
      <QrCode text={run.exportUrl} label={plainText(tr("scratchQr", lang))} />
      <ul className="takehome-classes" data-testid="takehome-classes">
        {workshop.classes.map((cls, index) => {
          const { emoji, name } = classLabel(cls, index);
          return <li key={cls.id}><span aria-hidden="true">{emoji}</span> {name}</li>;
        })}
      </ul>
      {run.testAccuracy != null && (
        <p className="takehome-accuracy" data-testid="takehome-accuracy">
          <T k="takeHomeAccuracy" vars={{ percent: percent(run.testAccuracy) }} />
        </p>
      )}
      {date && <p className="takehome-date" data-testid="takehome-date">{date}</p>}
      <p className="login-card-hint"><T k="takeHomeHint" /></p>
    </article>
  );
}

/** One card per group whose AI can be taken home (groups without a finished AI: none). */
export function TakeHomeCards({ workshop }: { workshop: AdminWorkshop }) {
  const groups = workshop.groups ?? [];
  if (!groups.length) return null;
  return (
    <section className="takehome-section" data-testid="takehome-cards">
      <h2 className="no-print"><T k="takeHomeTitle" /></h2>
      <div className="cards-grid">
        {groups.map((group) => <TakeHomeCard key={group.id} group={group} workshop={workshop} />)}
      </div>
    </section>
  );
}
