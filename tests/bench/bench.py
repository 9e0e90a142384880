"""Benchmarks albatross against the tools an operator would use instead.

Each case runs albatross and its counterpart against the same sandbox
world in this run, measuring wall time and peak resident memory of the
process tree's main process with os.wait4, and prints the ratios. Worlds
are generated into a temporary directory; every request goes to the
sandbox on 127.0.0.1.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from sandbox import ALBATROSS, Sandbox  # noqa: E402

REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
           "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
           "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
           "ap-southeast-1", "ap-southeast-2", "sa-east-1"]

HEADER = """account: "111122223333"
credentials:
  - accessKeyId: AKIAIOSFODNN7EXAMPLE
    secretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    user: bench
"""

TRUST = """    trustPolicy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {Service: ec2.amazonaws.com}
          Action: sts:AssumeRole
"""


def world_service_accounts(count):
    per = count // 4
    lines = [HEADER, "regions: [us-east-2]\nclusters:\n  - name: bench\n    region: us-east-2\n    serviceAccounts:\n"]
    for ns in range(4):
        lines.append("      - namespace: team-%d\n        name: app-{n}\n        count: %d\n"
                     "        annotations: {eks.amazonaws.com/role-arn: "
                     "\"arn:aws:iam::111122223333:role/app-role\"}\n" % (ns, per))
    return "".join(lines)


def world_regions():
    lines = [HEADER, "regions: [%s]\nclusters:\n" % ", ".join(REGIONS)]
    for region in REGIONS:
        lines.append("  - name: cluster-%s\n    region: %s\n" % (region, region))
    return "".join(lines)


def world_roles(count):
    return HEADER + "regions: [us-east-2]\nroles:\n  - name: role-{n}\n    count: %d\n%s" % (count, TRUST)


def build_launcher(tmp):
    path = os.path.join(tmp, "maxrss")
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "maxrss.c")
    subprocess.run(["cc", "-O2", "-o", path, src], check=True)
    return path


LAUNCHER = None


def measure(cmd, env, expect_items=None):
    """Runs cmd through the launcher; returns (seconds, peak RSS in MiB).
    With expect_items, checks that the JSON output lists that many items,
    so that a fast but incomplete listing cannot pass as a result."""
    out = tempfile.TemporaryFile()
    report_r, report_w = os.pipe()
    proc = subprocess.Popen([LAUNCHER, str(report_w)] + cmd, env=env, stdout=out,
                            stderr=subprocess.PIPE, pass_fds=(report_w,))
    os.close(report_w)
    _, err = proc.communicate()
    with os.fdopen(report_r) as f:
        report = f.read().split()
    if proc.returncode != 0 or len(report) != 2:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), err.decode()))
    if expect_items is not None:
        out.seek(0)
        items = json.load(out)["items"]
        if len(items) != expect_items:
            raise RuntimeError("%s listed %d items, expected %d" % (" ".join(cmd), len(items), expect_items))
    return float(report[0]), int(report[1]) / 1024.0


def measure_many(cmds, env):
    total, peak = 0.0, 0.0
    for cmd in cmds:
        t, rss = measure(cmd, env)
        total += t
        peak = max(peak, rss)
    return total, peak


def best_of(n, fn):
    results = [fn() for _ in range(n)]
    return min(r[0] for r in results), max(r[1] for r in results)


def report(name, ours, theirs, their_name):
    print("%-34s albatross %6.2f s %6.1f MiB | %-22s %6.2f s %6.1f MiB | time x%.1f, memory x%.1f"
          % (name, ours[0], ours[1], their_name, theirs[0], theirs[1],
             theirs[0] / ours[0], theirs[1] / ours[1]))


def main():
    repeat = int(os.environ.get("BENCH_REPEAT", "3"))
    global LAUNCHER
    with tempfile.TemporaryDirectory(prefix="albatross-bench-") as tmp:
        LAUNCHER = build_launcher(tmp)
        def world(name, text):
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(text)
            return path

        print("faster or smaller by the given factor than the other tool (x > 1: albatross is better)")
        with Sandbox(world("sa.yaml", world_service_accounts(20000)), timeout=60) as sb:
            env = sb.client_env()
            ours = best_of(repeat, lambda: measure([ALBATROSS, "get", "sa", "-o", "json"], env, 20000))
            kubectl = best_of(repeat, lambda: measure(
                ["kubectl", "--cache-dir", os.path.join(tmp, "kc"), "get", "sa", "-A", "-o", "json"], env, 20000))
            report("20,000 service accounts", ours, kubectl, "kubectl get sa -A")

        with Sandbox(world("regions.yaml", world_regions())) as sb:
            env = sb.client_env()
            ours = best_of(repeat, lambda: measure([ALBATROSS, "get", "clusters", "-o", "json"], env, len(REGIONS)))
            aws = [["aws", "--endpoint-url", sb.env["AWS_ENDPOINT_URL"], "--region", r,
                    "eks", "list-clusters"] for r in REGIONS]
            theirs = best_of(1, lambda: measure_many(aws, env))
            report("clusters in 17 regions", ours, theirs, "aws eks list-clusters")

        with Sandbox(world("roles.yaml", world_roles(1000))) as sb:
            env = sb.client_env()
            ours = best_of(repeat, lambda: measure([ALBATROSS, "get", "roles", "-o", "json"], env, 1000))
            theirs = best_of(repeat, lambda: measure(
                ["aws", "--endpoint-url", sb.env["AWS_ENDPOINT_URL"], "--region", "us-east-2",
                 "iam", "list-roles"], env))
            report("1,000 IAM roles (10 pages)", ours, theirs, "aws iam list-roles")


if __name__ == "__main__":
    main()
