// @vitest-environment node
/// <reference types="node" />
// `npm run typecheck` checks every GraphQL document in src/ against the BFF's committed schema
// (bff/schema.graphql) with graphql-codegen. This runs that same validator on a temp copy of
// the children's operations: as they are it passes, and with one field the schema lacks it
// fails and names the field, so a renamed field stops CI rather than a child's iPad.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const FRONTEND = resolve(__dirname, "../..");
const SCHEMA = resolve(FRONTEND, "../bff/schema.graphql");
const CODEGEN = resolve(FRONTEND, "node_modules/@graphql-codegen/cli/cjs/bin.js");
const work = mkdtempSync(join(tmpdir(), "pictolab-codegen-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Validate one copy of src/lib/api.ts the way codegen.yml does; the exit status and output. */
function validate(name: string, source: string): { status: number | null; output: string } {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "api.ts"), source);
  const config = join(dir, "codegen.yml");
  const pluginConfig = readFileSync(join(FRONTEND, "codegen.yml"), "utf8").split("\ngenerates:")[1];
  writeFileSync(config, [`schema: ${JSON.stringify(SCHEMA)}`, `documents: [${JSON.stringify(join(dir, "*.ts"))}]`,
    "ignoreNoDocuments: false", `generates:${pluginConfig.replace("src/gql/:", `${JSON.stringify(join(dir, "gql") + "/")}:`)}`]
    .join("\n"));
  // Under NODE_ENV=test (vitest's) the CLI prints no error details; run it as npm does.
  const env = { ...process.env, NODE_ENV: "development" };
  const run = spawnSync(process.execPath, [CODEGEN, "--config", config], { cwd: FRONTEND, env, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

describe("npm run typecheck's document validation", () => {
  const api = readFileSync(join(FRONTEND, "src/lib/api.ts"), "utf8");

  it("accepts the operations as written", () => {
    const { status, output } = validate("good", api);
    expect(output).not.toMatch(/Cannot query field/);
    expect(status).toBe(0);
  }, 60_000);

  it("fails when a query names a field the schema lacks", () => {
    expect(api).toContain("minPhotosPerClass");
    const { status, output } = validate("bad", api.replace("minPhotosPerClass", "minimumPhotosPerClass"));
    expect(status).not.toBe(0);
    expect(output).toMatch(/Cannot query field "minimumPhotosPerClass" on type "Workshop"/);
  }, 60_000);
});
