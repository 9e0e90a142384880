"""Benchmarks albatross against the tools an operator would use instead.

Each case runs albatross and its counterpart against the same sandbox
world in this run, measuring wall time and peak resident memory of the
process tree's main process with os.wait4, and prints the ratios. Worlds
are generated into a temporary directory; every request goes to the
sandbox on 127.0.0.1.
"""

import collections
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from sandbox import ALBATROSS, TEST_WORLDS, Sandbox  # noqa: E402

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


def world_ingresses(ingresses, albs):
    """The healthy ALB world with ingresses spread over albs groups, each
    with its own service and pod, so that the sandbox's controller makes
    albs load balancers and one target group per ingress. None when the
    template world is missing."""
    template = os.path.join(TEST_WORLDS, "alb-healthy.yaml")
    if not os.path.exists(template):
        return None
    with open(template) as f:
        world = yaml.safe_load(f)
    cluster = world["clusters"][0]
    cluster["services"], cluster["pods"], cluster["ingresses"] = [], [], []
    for i in range(ingresses):
        group, name = i % albs, "app-%d" % i
        ns = "team-%d" % (group % 10)
        cluster["services"].append({"namespace": ns, "name": name, "selector": {"app": name},
                                    "ports": [{"port": 80, "targetPort": "8080"}]})
        cluster["pods"].append({"namespace": ns, "name": name + "-{n}", "count": 1,
                                "labels": {"app": name}})
        cluster["ingresses"].append({
            "namespace": ns, "name": name, "ingressClassName": "alb",
            "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing",
                            "alb.ingress.kubernetes.io/target-type": "ip",
                            "alb.ingress.kubernetes.io/group.name": "group-%d" % group},
            "rules": [{"host": name + ".example.com", "service": name, "port": 80}]})
    return yaml.safe_dump(world, sort_keys=False)


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


def aws_calls(log):
    """Operations of the "aws call" lines albatross --debug logs, one per
    request (retries are logged again)."""
    calls = collections.Counter()
    with open(log) as f:
        for line in f:
            if " aws call " in line:
                words = line.split(" aws call ", 1)[1].split(" in ")[0].split()
                calls[words[-1]] += 1
    return calls


def expected_calls(albs, groups):
    """What one refresh may cost: pages of 400, tags 20 ARNs a call, and
    one DescribeTargetHealth per target group (the API takes one)."""
    return {"DescribeLoadBalancers": max(1, math.ceil(albs / 400)),
            "DescribeTargetGroups": max(1, math.ceil(groups / 400)),
            "DescribeTags": math.ceil((albs + groups) / 20),
            "DescribeTargetHealth": groups}


def settle(env, count):
    """Waits until the sandbox's controller has made every ALB active."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        res = subprocess.run([ALBATROSS, "describe", "ingress", "-o", "json"], env=env,
                             capture_output=True, text=True)
        if res.returncode == 0:
            items = json.loads(res.stdout)["items"]
            if len(items) == count and all(c["albState"] == "active" for c in items):
                return
        time.sleep(1)
    raise RuntimeError("the sandbox's ALBs did not all become active in 120 s")


def bench_chains(tmp, world, repeat):
    """The drill-down on ingress worlds of two sizes: times loading every
    chain and one ingress's whole chain, and checks from albatross's log
    that a refresh costs what paging and batching need."""
    sizes = [(100, 40), (500, 200)]
    counts = {}
    for ingresses, albs in sizes:
        text = world_ingresses(ingresses, albs)
        if text is None:
            print("chain cases skipped: tests/worlds/alb-healthy.yaml is missing")
            return
        with Sandbox(world("ing%d.yaml" % ingresses, text), timeout=60) as sb:
            env = sb.client_env()
            settle(env, ingresses)
            log = os.path.join(tmp, "chains-%d.log" % ingresses)
            measure([ALBATROSS, "describe", "ingress", "-o", "json", "--log", log, "--debug"],
                    env, ingresses)
            counts[(ingresses, albs)] = aws_calls(log)
            if ingresses != sizes[-1][0]:
                continue
            ours = best_of(repeat, lambda: measure(
                [ALBATROSS, "describe", "ingress", "-o", "json"], env, ingresses))
            aws = ["aws", "--endpoint-url", sb.env["AWS_ENDPOINT_URL"], "--region",
                   sb.env["AWS_REGION"], "elbv2"]
            tg = json.loads(subprocess.run(aws + ["describe-target-groups", "--output", "json"],
                                           env=env, capture_output=True, text=True,
                                           check=True).stdout)["TargetGroups"][0]
            theirs = best_of(1, lambda: measure_many([
                ["kubectl", "--cache-dir", os.path.join(tmp, "kc"), "get", "ingress", "-A",
                 "-o", "json"],
                aws + ["describe-load-balancers"], aws + ["describe-target-groups"],
                aws + ["describe-target-health", "--target-group-arn", tg["TargetGroupArn"]]],
                env))
            report("500 ingresses on 200 ALBs, all", ours, theirs, "kubectl+aws (1 TG)")
            one = best_of(repeat, lambda: measure(
                [ALBATROSS, "describe", "ingress", "team-0/app-0", "-o", "json"], env))
            theirs = best_of(1, lambda: measure_many([
                ["kubectl", "--cache-dir", os.path.join(tmp, "kc"), "describe", "ingress",
                 "-n", "team-0", "app-0"],
                aws + ["describe-load-balancers"],
                aws + ["describe-target-health", "--target-group-arn", tg["TargetGroupArn"]]],
                env))
            report("one ingress's whole chain", one, theirs, "kubectl+aws describe")
    print_calls(counts)


def print_calls(counts):
    """Prints AWS requests per refresh by operation and fails when any
    differs from what paging and batching need."""
    ops = sorted(set(op for c in counts.values() for op in c))
    print("AWS requests per refresh (all chains of the cluster):")
    print("  %-24s" % "operation" + "".join("%22s" % ("%d ing / %d ALB" % k) for k in counts))
    for op in ops:
        print("  %-24s" % op + "".join("%22d" % c[op] for c in counts.values()))
    for (ingresses, albs), calls in counts.items():
        want = expected_calls(albs, ingresses)
        if dict(calls) != want:
            raise RuntimeError("refresh of %d ingresses made %s, expected %s"
                               % (ingresses, dict(calls), want))
        per = sum(v for k, v in calls.items() if k != "DescribeTargetHealth")
        print("  %d ingresses: %d requests besides DescribeTargetHealth, as paging and "
              "batches of 20 need; one DescribeTargetHealth per target group"
              % (ingresses, per))


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

        bench_chains(tmp, world, repeat)


if __name__ == "__main__":
    main()
