// End-to-end tests: the real server (debug build, fresh SQLite file) and a real local EC2
// endpoint (moto), driven through Debian's chromium.
import { defineConfig } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";

// Chosen once in the runner; workers inherit the environment.
process.env.E2E_PORT ??= String(20000 + Math.floor(Math.random() * 20000));
process.env.E2E_MOTO_PORT ??= String(Number(process.env.E2E_PORT) + 1);
const port = process.env.E2E_PORT;
const motoPort = process.env.E2E_MOTO_PORT;
const dataDir = path.join(os.tmpdir(), `amidesk-e2e-${port}`);
export const ADMIN_PASSWORD = "admin password for e2e";

const bin = process.env.AMIDESK_BIN ?? "../target/debug/amidesk";
const moto = process.env.AMIDESK_MOTO_SERVER ?? "moto_server";

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [
    {
      command: `MOTO_EC2_LOAD_DEFAULT_AMIS=false ${moto} -H 127.0.0.1 -p ${motoPort}`,
      url: `http://127.0.0.1:${motoPort}/moto-api/`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "ignore",
    },
    {
      command: `rm -rf ${dataDir} && mkdir -p ${dataDir} && exec ${bin}`,
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: {
        AMIDESK_LISTEN: `127.0.0.1:${port}`,
        AMIDESK_DATABASE_URL: `sqlite://${dataDir}/amidesk.db`,
        AMIDESK_ADMIN_PASSWORD: ADMIN_PASSWORD,
        AMIDESK_REGIONS: "us-east-1,eu-west-1",
        AMIDESK_LOG: process.env.E2E_LOG ?? "warn",
        AWS_ENDPOINT_URL_EC2: `http://127.0.0.1:${motoPort}`,
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
        AWS_REGION: "us-east-1",
        AWS_EC2_METADATA_DISABLED: "true",
      },
    },
  ],
});
