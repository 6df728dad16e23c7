"""What the demo-model recipes (train.py, finetune.py) share: running stages in order with
each stage's figures and time written to a report as it ends, the evaluation handed from the
evaluate stage to export (through the work folder, so export can run alone), and the ONNX
verification in node."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def run(ctx, stages, functions, report_path, fields, prepare):
    """Run functions[stage](ctx) for each stage; prepare(stage) first loads what it needs."""
    report = {}
    if os.path.exists(report_path):
        with open(report_path) as f:
            report = json.load(f)
    report.update(fields)
    report.setdefault("stages", {})
    for stage in stages:
        prepare(stage)
        log(f"stage {stage}")
        t0 = time.time()
        figures = functions[stage](ctx)
        seconds = time.time() - t0
        log(f"stage {stage} done in {seconds:.0f}s: {json.dumps(figures)[:400]}")
        report["stages"][stage] = dict(figures, seconds=round(seconds, 1))
        with open(report_path, "w") as f:
            json.dump(report, f, indent=2)
    log(f"report: {report_path}")


def keep_evaluation(ctx, report):
    ctx["evaluation"] = report
    with open(os.path.join(ctx["work"], "evaluation.json"), "w") as f:
        json.dump(report, f, indent=2)
    return report


def load_evaluation(ctx):
    if "evaluation" not in ctx:
        with open(os.path.join(ctx["work"], "evaluation.json")) as f:
            ctx["evaluation"] = json.load(f)


def verify(ctx):
    """verify-onnx.cjs on the exported folder; its last line of output is the figures."""
    script = os.path.join(HERE, "verify-onnx.cjs")
    result = subprocess.run(["node", script, ctx["out"], ctx["reference_path"]], cwd=REPO, capture_output=True, text=True)
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    if result.returncode != 0:
        raise SystemExit("ONNX verification failed")
    return json.loads(result.stdout.strip().splitlines()[-1])
