// "Scratch で つかう / Use it in Scratch": a group's AI at its export link (TrainingRun.exportUrl,
// bff/exports.py), as a big QR code and the link, with three picture steps for TM2Scratch's
// "画像分類モデルURL" block. Shown on the Try screen and in the instructors' group detail.
import { useEffect, useState } from "react";
import { QrCode } from "../admin/QrCode";
import { graphql } from "../gql";
import type { TrainingRun } from "./api";
import { gql } from "./graphql";
import { plainText, T, tr, useLang } from "./i18n";

/** What the link needs of a run, from any query that asks for it (the fields' types are the schema's). */
export type ExportableRun = Pick<TrainingRun, "id" | "status"> & { exportUrl?: string | null };

/** The newest succeeded run's link (runs newest first), or null. */
export function latestExportUrl(runs: ExportableRun[]): { runId: string; url: string } | null {
  const run = runs.find((r) => r.status === "SUCCEEDED" && r.exportUrl);
  return run ? { runId: run.id, url: run.exportUrl! } : null;
}

const EXPORT_DOC = graphql(`mutation Export($runId: ID!) { exportModel(runId: $runId) { id } }`);

/** Make the files now (the link works without this; it only spares Scratch the wait). */
export function prepareExport(runId: string): Promise<unknown> {
  return gql(EXPORT_DOC, { runId }).catch(() => undefined);
}

/** The three steps' pictures: a sketch of what the child looks for on the Scratch screen. */
function StepPicture({ step, url }: { step: 1 | 2 | 3; url: string }) {
  if (step === 1) {
    return (
      <div className="scratch-pic" aria-hidden="true">
        <span className="scratch-ext-button">🧩</span>
        <span className="scratch-arrow">→</span>
        <span className="scratch-ext-card">🤖 TM2Scratch</span>
      </div>
    );
  }
  if (step === 2) {
    return (
      <div className="scratch-pic" aria-hidden="true">
        <span className="scratch-block">画像分類モデルURL <span className="scratch-block-input">{url.slice(0, 22)}…</span></span>
      </div>
    );
  }
  return (
    <div className="scratch-pic" aria-hidden="true">
      <span className="scratch-camera">📷</span>
      <span className="scratch-arrow">→</span>
      <span className="scratch-block scratch-reporter">画像ラベル</span>
    </div>
  );
}

export function ScratchPanel({ url }: { url: string }) {
  const lang = useLang();
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard?.writeText(url).then(() => setCopied(true), () => undefined);
  };
  return (
    <section className="scratch-panel card" data-testid="scratch-panel" aria-labelledby="scratch-title">
      <h2 id="scratch-title"><span aria-hidden="true">🐱 </span><T k="scratchTitle" /></h2>
      <p><T k="scratchLead" /></p>
      <div className="scratch-qr-row">
        <div className="scratch-qr"><QrCode text={url} label={plainText(tr("scratchQr", lang))} /></div>
        <div className="scratch-link">
          <code className="scratch-url" data-testid="export-url">{url}</code>
          <button type="button" className="small-button" onClick={copy}>
            <T k={copied ? "scratchCopied" : "scratchCopy"} />
          </button>
        </div>
      </div>
      <ol className="scratch-steps">
        {([1, 2, 3] as const).map((step) => (
          <li key={step} className="scratch-step" data-testid="scratch-step">
            <StepPicture step={step} url={url} />
            <span><T k={step === 1 ? "scratchStep1" : step === 2 ? "scratchStep2" : "scratchStep3"} /></span>
          </li>
        ))}
      </ol>
      <p className="scratch-more">
        <a href={url} target="_blank" rel="noreferrer" className="small-button"><T k="scratchOpenPage" /></a>{" "}
        <a href={`${url}model.zip`} download className="small-button"><T k="scratchDownload" /></a>
      </p>
    </section>
  );
}

const EXPORT_LINKS_DOC = graphql(`query ExportLinks { trainingRuns { id status exportUrl } }`);

/** The group's own newest exportable run, loaded here (the Try screen's panel). */
export function MyScratchPanel() {
  const [link, setLink] = useState<{ runId: string; url: string } | null>(null);
  useEffect(() => {
    let live = true;
    gql(EXPORT_LINKS_DOC)
      .then((data) => {
        const found = latestExportUrl(data.trainingRuns);
        if (!live || !found) return;
        setLink(found);
        void prepareExport(found.runId);
      }, () => undefined);
    return () => { live = false; };
  }, []);
  return link ? <ScratchPanel url={link.url} /> : null;
}
