// npm --prefix bench run report: prints the tables of a saved result (default results/latest.json).
import { readFile } from 'node:fs/promises';
import { loadConfig } from './config';
import { markdownReport } from './report';
import type { BenchResult } from './results';

const path = process.argv[2] ?? loadConfig().outFile;
const result = JSON.parse(await readFile(path, 'utf8')) as BenchResult;
process.stdout.write(`${markdownReport(result)}\n`);
