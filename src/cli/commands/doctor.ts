// `sdprompt doctor`: the first thing to run when a GPU does not do what it should. The platform,
// ONNX Runtime, each execution provider and whether it starts (and why not), and the model
// folder's check, as text or as one JSON object.

import { formatUserError } from '../../core/errors';
import { demoModelDir } from '../../core/models/demo';
import { type DoctorReport, doctor } from '../../core/models/doctor';
import { EXIT, UsageError, type CommandContext } from '../context';
import { loadOptionsFrom, modelOption } from './execute';

const GIB = 1024 ** 3;

function providerLine(p: DoctorReport['providers'][number]): string {
  const name = p.provider.padEnd(7);
  if (!p.loads) return `  ${name} no: ${p.reason}`;
  const same = p.maxDifference === 0 ? 'computes what the CPU computes' : `computes what the CPU computes within ${p.maxDifference!.toExponential(1)}`;
  const line = p.provider === 'cpu' ? `  ${name} loads` : `  ${name} loads, ${same}, ${((p.ms ?? 0) / 1000).toFixed(1)} s`;
  return p.autoSkips ? `${line}; auto passes it over: ${p.autoSkips}` : line;
}

export function formatReport(r: DoctorReport): string {
  const lines = [
    `platform     ${r.platform}, Node ${r.node}, ${r.cpus} CPUs, ${(r.memoryBytes / GIB).toFixed(1)} GiB memory`,
    `onnxruntime  ${r.onnxruntime} (onnxruntime-node); backends in this build: ${r.backends.join(', ')}`,
  ];
  if (r.platform.startsWith('linux')) lines.push(`GPU devices  ${r.gpuDevices.length > 0 ? r.gpuDevices.join(', ') : 'none (/dev/dri/renderD*, /dev/nvidia*)'}`);
  lines.push('', 'execution providers, in the order auto tries them:', ...r.providers.map(providerLine), `auto uses ${r.auto}`, '');
  const m = r.model;
  lines.push(`model        ${m.dir}`);
  if (m.family) lines.push(`family       ${m.family.label}`);
  if (m.components.length > 0) lines.push(`components   ${m.components.join(', ')}`);
  for (const note of m.notes) lines.push(`note         ${note}`);
  if (m.load.ok) {
    lines.push(`loads        on ${m.load.provider} in ${(m.load.ms / 1000).toFixed(1)} s`);
    for (const note of m.load.notes) lines.push(`             ${note}`);
  } else {
    lines.push(`does not load: ${formatUserError(m.load.error)}`);
  }
  return lines.join('\n');
}

/** `sdprompt doctor [--model DIR] [--provider NAME] [--json]`. */
export async function doctorCommand(ctx: CommandContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const report = await doctor(modelOption(ctx, values) ?? demoModelDir(), loadOptionsFrom(values));
  ctx.stdout(values['json'] === true ? JSON.stringify(report) : formatReport(report));
  return report.model.load.ok ? EXIT.ok : EXIT.model;
}
