import { describe, expect, it } from 'vitest';
import { clusterArgs, clusterTable, type ClusterRow } from '../../bench/pipeline/cluster-report';
import { parseStatTimes, treeTicks, type StatTimes } from '../../bench/pipeline/fleet-cpu';

// Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
const stat = (pid: number, name: string, ppid: number, utime: number, stime: number, cutime = 0, cstime = 0) =>
  `${pid} (${name}) S ${ppid} 2 3 0 -1 4194560 100 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 9 0 42 1000 200`;

describe('parseStatTimes', () => {
  it.each([
    ['a plain name', 'postgres'],
    ['a name with spaces and parentheses', 'postgres: arbiter (idle) x'],
  ])('reads ppid, own and reaped children’s ticks after %s', (_, name) => {
    expect(parseStatTimes(stat(7, name, 1, 10, 5, 100, 50))).toEqual({ ppid: 1, self: 15, reaped: 150 });
  });
  it.each([[''], ['7 (postgres) S 1 2 3'], ['7 postgres S 1']])('gives undefined for %j', (line) => {
    expect(parseStatTimes(line)).toBeUndefined();
  });
});

describe('treeTicks', () => {
  const snapshot = (lines: string[]) =>
    new Map(lines.map((l) => [Number(l.split(' ')[0]), parseStatTimes(l) as StatTimes]));

  it('adds the parent, the children it reaped and its live children, not its grandchildren or strangers', () => {
    const stats = snapshot([
      stat(100, 'postgres', 1, 10, 10, 5, 5),
      stat(101, 'postgres: backend', 100, 3, 2),
      stat(102, 'postgres: walwriter', 100, 1, 0),
      stat(103, 'grandchild', 101, 1000, 0),
      stat(200, 'node', 1, 999, 999),
    ]);
    expect(treeTicks(100, stats)).toBe(20 + 10 + 5 + 1);
  });
  it('counts a backend once when it ends between two samples', () => {
    const before = snapshot([stat(100, 'postgres', 1, 10, 0), stat(101, 'postgres: backend', 100, 30, 0)]);
    // It ran 12 more ticks, ended, and the postmaster reaped it.
    const after = snapshot([stat(100, 'postgres', 1, 11, 0, 42, 0)]);
    expect((treeTicks(100, after) ?? 0) - (treeTicks(100, before) ?? 0)).toBe(1 + 12);
  });
  it('gives undefined when the parent is gone', () => {
    expect(treeTicks(100, snapshot([stat(101, 'x', 100, 1, 1)]))).toBeUndefined();
  });
});

describe('clusterArgs', () => {
  it.each([
    [[], { quick: false, targets: ['dev', 'cluster'], workers: [1, 2] }],
    [['--quick', '--target', 'cluster', '--workers', '2'], { quick: true, targets: ['cluster'], workers: [2] }],
    [['--target', 'dev', '--workers', 'both'], { quick: false, targets: ['dev'], workers: [1, 2] }],
  ])('reads %j', (argv, expected) => {
    expect(clusterArgs(argv)).toEqual(expected);
  });
  it.each([
    [['--target', 'prod'], /--target must be/],
    [['--workers', '3'], /--workers must be/],
    [['--fast'], /Unknown option/],
  ])('refuses %j', (argv, message) => {
    expect(() => clusterArgs(argv)).toThrow(message);
  });
});

describe('clusterTable', () => {
  it('prints a row per target, worker count and variant, a dash for what could not be measured', () => {
    const row: ClusterRow = {
      target: 'cluster',
      workers: 2,
      variant: 'arbiter',
      seqP50Ms: 41.234,
      seqP99Ms: 80,
      perSec: 55.55,
      cpuMsPerOp: 12.3,
      pgCpuMsPerOp: Number.NaN,
      cpuMsPerOpByRole: { bench: 2, server: 3, workers: 7.3, postgres: Number.NaN },
      completed: 222,
      errors: 0,
      peakRssMiB: { orchestrator: 612.4, modelPool: Number.NaN },
    };
    const lines = clusterTable([row]).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('| cluster | 2 | arbiter | 41.23 | 80.00 | 55.5 | 12.30 | – | 612 | – | 0 |');
  });
});
