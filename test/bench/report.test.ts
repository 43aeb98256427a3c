// The bench section of the report model: schema round-trip, Mermaid chart generation and the
// Markdown/terminal renderers, all on fixed data.
import { describe, expect, it } from 'vitest';
import { scaleChart, scaleChartLegend, timelineChart } from '../../harness/bench/charts.js';
import { BenchReport } from '../../harness/report/bench-model.js';
import { renderBenchMarkdown, renderBenchTerminal } from '../../harness/bench/render.js';
import { renderJson, validateReport } from '../../harness/report/json.js';
import { Report, reportJsonSchema, summarize } from '../../harness/report/model.js';

const A = 'stdio: node ref.js';
const B = 'stdio: node sdk-server.js';

function sampleBench(): BenchReport {
  const timeline = [
    { target: A, approach: 'sequential' as const, label: 'b-sequential-0.3s-1', startMs: 0, endMs: 301.4 },
    { target: A, approach: 'sequential' as const, label: 'b-sequential-0.2s-2', startMs: 301.4, endMs: 503 },
    { target: A, approach: 'gather' as const, label: 'b-gather-0.3s-3', startMs: 0.2, endMs: 300.9 },
    { target: B, approach: 'gather' as const, label: 'b-gather-0.3s-4', startMs: 0, endMs: 1003 },
    { target: A, approach: 'tasks-result' as const, label: 'b-tasks-result-0s-5', startMs: 0, endMs: 0.3 },
  ];
  const poll = (completeAllMs: number, fetchAllMs: number) => ({
    createAllMs: 1,
    completeAllMs,
    fetchAllMs,
    getP50Ms: 0.4,
    getP95Ms: 0.5,
    getP99Ms: 0.6,
    getRequests: 6,
  });
  const scale = [
    {
      target: A,
      tasks: 1,
      floorMs: 100,
      createAllMs: 0.7,
      lastCreateToAllResultsMs: 101,
      allResultsMs: 101.7,
      floorRatio: 1.01,
      poll: poll(150, 0.4),
      correct: true,
      rssBeforeBytes: 100 * 2 ** 20,
      rssAfterBytes: 101 * 2 ** 20,
      memory: {
        retainedTasks: 1,
        heapUsedBeforeBytes: 10_000,
        heapUsedAfterBytes: 12_048,
        rssBeforeBytes: 2 ** 20,
        rssAfterBytes: 2 ** 20,
        heapUsedPerTaskBytes: 2048,
        rssPerTaskBytes: 0,
      },
    },
    {
      target: A,
      tasks: 10,
      floorMs: 100,
      createAllMs: 1.2,
      lastCreateToAllResultsMs: 102,
      allResultsMs: 103.2,
      floorRatio: 1.02,
      poll: poll(160, 0.8),
      correct: true,
      rssBeforeBytes: null,
      rssAfterBytes: null,
    },
    {
      target: B,
      tasks: 1,
      floorMs: 100,
      createAllMs: 0.5,
      lastCreateToAllResultsMs: 1002,
      allResultsMs: 1002.5,
      floorRatio: 10.02,
      correct: false,
      rssBeforeBytes: null,
      rssAfterBytes: null,
      failures: 1,
      error: '1 of 1 tasks wrong',
    },
  ];
  return {
    durations: [0.3, 0.2, 0.1],
    rounds: 2,
    targets: [A, B],
    targetInfo: [
      { label: A, transport: 'stdio', serverName: 'ref', serverVersion: '1', pollIntervalMs: 100 },
      { label: B, transport: 'stdio', pollIntervalMs: null },
    ],
    settings: { opTimeMs: 1000, scaleSizes: [1, 10], scaleSeconds: 0.1, scaleConcurrency: 256 },
    approaches: [
      { name: 'gather', target: A, wallMs: 301, roundsMs: [301, 302], speedupOverSequential: 2, ratioToGather: 1, correct: true },
      { name: 'tasks-result', target: A, wallMs: 302, roundsMs: [302, 303], speedupOverSequential: 2, ratioToGather: 1.003, correct: true },
      {
        name: 'tasks-poll',
        target: B,
        wallMs: 1004,
        roundsMs: [1004],
        speedupOverSequential: null,
        ratioToGather: null,
        correct: false,
        error: 'tasks/get: JSON-RPC error -32602 "x|y"',
      },
    ],
    timeline,
    operations: [
      { name: 'ping', target: A, p50Ms: 0.04, p95Ms: 0.1, p99Ms: 1, opsPerSec: 10000, samples: 100, ratioToPing: 1 },
      { name: 'tasks/get', target: A, p50Ms: 0.05, p95Ms: 0.1, p99Ms: 1.5, opsPerSec: 9000, samples: 90, ratioToPing: 1.25 },
      {
        name: 'tasks/list (page)',
        target: B,
        p50Ms: 0,
        p95Ms: 0,
        p99Ms: 0,
        opsPerSec: 0,
        samples: 0,
        ratioToPing: null,
        error: 'tasks/list: JSON-RPC error -32601',
      },
    ],
    scale,
    soak: [
      {
        target: A,
        durationS: 20,
        rate: 50,
        windowS: 10,
        lagged: 0,
        operations: [{ name: 'create', requests: 330, errors: 0, p50Ms: 0.5, p95Ms: 1, p99Ms: 2 }],
        windows: [
          { endS: 10, requests: 500, errors: 0, p50Ms: 0.5, p95Ms: 1, p99Ms: 2, rssBytes: 80 * 2 ** 20 },
          { endS: 20, requests: 500, errors: 0, p50Ms: 0.6, p95Ms: 1, p99Ms: 2, rssBytes: 81 * 2 ** 20 },
        ],
        rssSlopeBytesPerMin: 6 * 2 ** 20,
        p50SlopeMsPerMin: 0.6,
        ttlMs: 30_000,
        loadAverage: [1, 2, 3],
      },
    ],
    loadAverage: { start: [1, 2, 3], end: [1.5, 2, 3] },
    comparison: [
      { figure: 'gather wall ms', first: 301, second: 1003, ratio: 0.3 },
      { figure: 'scale 1 RSS after bytes', first: 2 ** 20, second: 2 ** 21, ratio: 0.5 },
      { figure: 'scale 1 heap per retained task bytes', first: 1024, second: 2048, ratio: 0.5 },
    ],
    charts: {
      timeline: timelineChart(timeline, { targets: [A, B], durations: [0.3, 0.2, 0.1] }),
      scale: scaleChart(scale, [A, B]),
    },
  };
}

function wrap(bench: BenchReport): Report {
  return {
    tool: { name: 'sep1686-check', version: '0.1.0' },
    run: {
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:20.000Z',
      durationMs: 20000,
      targets: [{ label: A, transport: 'stdio' }],
      protocolVersion: '2025-11-25',
      timeouts: { requestMs: 10000, settleMs: 0, checkMs: 0 },
      selection: [],
      exitCode: 1,
      incomplete: false,
      verdict: 'bench: 1 measurement(s) saw wrong results or errors',
    },
    summary: summarize([], 0, 0, []),
    checks: [],
    bench,
  };
}

describe('bench report model', () => {
  it('round-trips a report with a bench section through JSON and the zod model', () => {
    const report = wrap(sampleBench());
    const parsed = Report.parse(JSON.parse(renderJson(report)));
    expect(parsed).toEqual(report);
    expect(BenchReport.parse(parsed.bench)).toEqual(report.bench);
  });

  it('rejects a bench section with an unknown approach name or a non-integer task count', () => {
    const bad = sampleBench();
    (bad.approaches[0] as { name: string }).name = 'magic';
    expect(() => validateReport(wrap(bad))).toThrow(/bench\.approaches\.0\.name/);
    const bad2 = sampleBench();
    bad2.scale[0]!.tasks = 1.5;
    expect(() => validateReport(wrap(bad2))).toThrow(/bench\.scale\.0\.tasks/);
  });

  it('keeps the brief fields in the JSON Schema of report.json', () => {
    const text = JSON.stringify(reportJsonSchema());
    for (const field of [
      'wallMs',
      'ratioToPing',
      'opsPerSec',
      'createAllMs',
      'lastCreateToAllResultsMs',
      'floorRatio',
      'heapUsedPerTaskBytes',
      'completeAllMs',
      'fetchAllMs',
      'rssSlopeBytesPerMin',
      'correct',
    ])
      expect(text).toContain(`"${field}"`);
  });
});

describe('Mermaid charts', () => {
  it('draws a gantt timeline: one section per approach and target, one bar per call, in ms from the round start', () => {
    const chart = sampleBench().charts!.timeline!;
    const lines = chart.split('\n');
    expect(lines[0]).toBe('gantt');
    expect(lines).toContain('  dateFormat x');
    expect(lines).toContain('  section sequential A');
    expect(lines).toContain('  section gather B');
    expect(lines).toContain('  0.3 s call : 0, 301');
    expect(lines).toContain('  0.2 s call : 301, 503');
    // An instant call still gets a visible 1 ms bar.
    expect(lines).toContain('  0 s call : 0, 1');
    // Sections come in approach order, never with characters Mermaid would choke on.
    expect(chart.indexOf('section sequential A')).toBeLessThan(chart.indexOf('section gather A'));
    for (const l of lines.slice(1)) expect(l.split(':').length).toBeLessThanOrEqual(2);
  });

  it('names sections by approach alone for a single target', () => {
    const chart = timelineChart([{ target: A, approach: 'tasks-poll', label: 'x-tasks-poll-1s-9', startMs: 0, endMs: 1000 }], {
      targets: [A],
      durations: [1],
    });
    expect(chart).toContain('  section tasks-poll\n  1 s call : 0, 1000');
  });

  it('draws an xychart with one line per series and target, and a legend saying which is which', () => {
    const chart = sampleBench().charts!.scale!;
    const lines = chart.split('\n');
    expect(lines[0]).toBe('xychart-beta');
    expect(lines).toContain('  x-axis "concurrent tasks" ["1", "10"]');
    const series = lines.filter((l) => l.startsWith('  line '));
    expect(series).toEqual([
      '  line [0.7, 1.2]',
      '  line [101, 102]',
      '  line [150, 160]',
      '  line [0.5, 0]',
      '  line [1002, 0]',
      '  line [0, 0]',
    ]);
    expect(scaleChartLegend([A, B])).toBe(
      'Lines, in order: create all (A), last create to all results (A), polled all terminal (A), create all (B), last create to all results (B), polled all terminal (B).',
    );
  });
});

describe('renderers', () => {
  it('report.md section: tables, charts in mermaid fences, escaped pipes, errors shown', () => {
    const md = renderBenchMarkdown(sampleBench());
    expect(md).toContain('## Benchmarks');
    expect(md).toContain('- A: `stdio: node ref.js` — ref 1, pollInterval 100');
    expect(md).toContain('```mermaid\ngantt');
    expect(md).toContain('```mermaid\nxychart-beta');
    expect(md).toContain('| A | tasks-result | 302 | 2.00x | 1.00x | 302 303 | yes |');
    expect(md).toContain('"x\\|y"');
    expect(md).toContain('error: tasks/list: JSON-RPC error -32601');
    expect(md).toContain('| scale 1 RSS after | 1.0 MiB | 2.0 MiB | 0.50x |');
    expect(md).toContain('| scale 1 heap per retained task | 1.00 KiB | 2.00 KiB | 0.50x |');
    // The scale row: create, last create to all results, floor and the ratio to it, polled figures, memory per task.
    expect(md).toContain('| A | 1 | 0.70 | 101 | 100 | 1.01x | 150 / 0.40 | 0.40 / 0.50 / 0.60 | 2.00 / 0.00 | yes |');
  });

  it('terminal tables cover every phase and the comparison', () => {
    const text = renderBenchTerminal(sampleBench());
    for (const title of [
      'Approaches (0.3 / 0.2 / 0.1 s, median of 2 rounds)',
      'Operations (one request in flight)',
      'Scale (concurrent tasks)',
      'Side by side',
    ])
      expect(text).toContain(title);
    expect(text).toContain('NO: 1 of 1 tasks wrong');
    expect(text).toContain('Soak: 20 s at 50 requests/s on stdio: node ref.js: RSS slope 6.00 MiB/min, p50 slope 600.0 µs/min');
    expect(text).toContain('Soak windows (10 s)');
    expect(text).toContain('Load average: 1.00 2.00 3.00 at the start');
  });

  it('report.md soak section: headline with slopes, per-operation and per-window tables', () => {
    const md = renderBenchMarkdown(sampleBench());
    expect(md).toContain('### Soak');
    expect(md).toContain('| create | 330 | 0 | 0.50 | 1.00 | 2.00 |');
    expect(md).toContain('| 20 | 500 | 0 | 0.60 | 1.00 | 2.00 | 81.0 |');
  });
});
