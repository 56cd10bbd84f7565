#!/usr/bin/env python3
"""run_recipe.py RECIPE: runs a docs/ci workflow's one job as GitHub would,
in the current folder (a checkout), with the GITHUB_* variables of the
environment: run steps with bash, the benchgate action through
tools/action.sh ($ACTION_SH) with its inputs as INPUT_* variables, artifact
steps as copies under $ARTIFACTS, checkout as nothing (the test made it).

Expressions ${{ ... }} are read from the event payload (github.event.*),
github.token ($GITHUB_TOKEN_VALUE), steps.ID.outputs.NAME and env.NAME (from
GITHUB_ENV); `if:` takes always() and A == 'B'. $FAKEBIN, the folder of
fake tools, comes first on every step's PATH: no step reaches a network. Steps stop at the first
failure, except those with if: always(), and the exit status is the first
failing step's. Tools the steps call (go, cargo, ...) are the test's fakes,
first on PATH."""
import json
import os
import re
import shutil
import subprocess
import sys

import yaml

recipe = yaml.safe_load(open(sys.argv[1]))
job = next(iter(recipe["jobs"].values()))
event = json.load(open(os.environ["GITHUB_EVENT_PATH"])) if os.environ.get("GITHUB_EVENT_PATH") else {}
outputs, env_file = {}, os.path.abspath(".github-env")
open(env_file, "w").close()


def lookup(expr):
    expr = expr.strip()
    if expr == "github.token":
        return os.environ.get("GITHUB_TOKEN_VALUE", "")
    if expr.startswith("github.event."):
        v = event
        for k in expr[len("github.event."):].split("."):
            v = v.get(k, "") if isinstance(v, dict) else ""
        return str(v)
    if expr.startswith("steps."):
        _, sid, _, name = expr.split(".")
        return outputs.get(sid, {}).get(name, "")
    if expr.startswith("env."):
        for line in open(env_file):
            k, _, v = line.rstrip("\n").partition("=")
            if k == expr[4:]:
                return v
        return ""
    raise SystemExit(f"run_recipe: unknown expression {expr}")


def subst(s):
    if isinstance(s, bool):  # YAML's true, as GitHub hands it to an action
        return "true" if s else "false"
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: lookup(m.group(1)), str(s))


def condition(cond, failed):
    if cond is None:
        return not failed
    cond = str(cond).strip()
    if cond == "always()":
        return True
    m = re.fullmatch(r"(.+?)\s*==\s*'(.*)'", cond)
    if m:
        return not failed and lookup(m.group(1)) == m.group(2)
    raise SystemExit(f"run_recipe: unknown condition {cond}")


def read_outputs(path):
    out = {}
    for line in open(path):
        k, _, v = line.rstrip("\n").partition("=")
        out[k] = v
    return out


if not condition(job.get("if"), False):
    print("run_recipe: job skipped")
    sys.exit(0)
status = 0
for i, step in enumerate(job["steps"]):
    if not condition(step.get("if"), status != 0):
        continue
    uses, sid = step.get("uses", ""), step.get("id", f"step{i}")
    with_ = {k: subst(v) for k, v in (step.get("with") or {}).items()}
    out_path = os.path.abspath(f".github-output-{i}")
    open(out_path, "w").close()
    env = dict(os.environ, GITHUB_OUTPUT=out_path, GITHUB_ENV=env_file)
    # the test's fakes first, ahead of what a Python launcher (pyenv) put in front
    env["PATH"] = os.environ["FAKEBIN"] + os.pathsep + env["PATH"]
    if uses.startswith("actions/checkout@"):
        rc = 0
    elif uses.startswith("actions/upload-artifact@"):
        shutil.copytree(with_["path"], os.path.join(os.environ["ARTIFACTS"], with_["name"]),
                        dirs_exist_ok=True)
        rc = 0
    elif uses.startswith("actions/download-artifact@"):
        shutil.copytree(os.path.join(os.environ["ARTIFACTS"], with_["name"]), with_["path"],
                        dirs_exist_ok=True)
        rc = 0
    elif uses.startswith("OWNER/benchgate@"):
        for k, v in with_.items():
            env["INPUT_" + k.upper().replace("-", "_")] = v
        # the action's own default (github.token) when the step gives none
        env.setdefault("INPUT_GITHUB_TOKEN", os.environ.get("GITHUB_TOKEN_VALUE", ""))
        rc = subprocess.call(["bash", os.environ["ACTION_SH"]], env=env)
    elif "run" in step:
        rc = subprocess.call(["bash", "-eo", "pipefail", "-c", subst(step["run"])], env=env)
    else:
        raise SystemExit(f"run_recipe: unknown step {step}")
    outputs[sid] = read_outputs(out_path)
    print(f"run_recipe: step {i} ({uses or 'run'}): exit {rc}", flush=True)
    if rc != 0 and status == 0:
        status = rc
sys.exit(status)
