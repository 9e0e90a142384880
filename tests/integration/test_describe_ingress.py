"""albatross describe ingress against the sandbox's worlds of ALB failures.

For each tests/worlds/alb-*.yaml, every ingress of class alb is described;
the failure the world was written for must be reported with the
controller's event reason and full message, and the load balancer,
listeners and target health must match what the aws CLI reads from the
same sandbox. Worlds not yet written are skipped.
"""

import glob
import json
import os
import time
import unittest

import yaml

from sandbox import Sandbox, TEST_WORLDS

# The finding each world must produce: words of its title, and whether the
# controller's event (reason and message) must be quoted in its detail.
EXPECTED = {
    "alb-no-subnets": ("subnets", True),
    "alb-cert-wrong-region": ("ertificate", False),
    "alb-no-ingressclass": ("IngressClass does not exist", False),
    "alb-access-denied": ("lacks a permission", True),
    "alb-trust-mismatch": ("cannot assume its IAM role", True),
    "alb-missing-service": ("Backend service missing", False),
    "alb-unhealthy-targets": ("healthy targets", False),
}

# How long the controller in the sandbox may take to reconcile.
SETTLE_SECONDS = 20


def worlds():
    return sorted(glob.glob(os.path.join(TEST_WORLDS, "alb-*.yaml")))


def world_name(path):
    return os.path.splitext(os.path.basename(path))[0]


class World:
    """A sandbox on one world, and helpers that read it."""

    def __init__(self, path):
        self.sb = Sandbox(world=path).start()

    def serves_elbv2(self):
        res = self.sb.aws("elbv2", "describe-load-balancers", check=False)
        return "UnknownService" not in res.stderr

    def close(self):
        self.sb.stop()

    def alb_ingresses(self):
        res = self.sb.kubectl("get", "ingress", "-A", "-o", "json")
        items = json.loads(res.stdout)["items"]
        return [i for i in items if i["metadata"].get("namespace")]

    def describe(self, ns, name, fmt="json", check=True):
        res = self.sb.albatross("describe", "ingress", "%s/%s" % (ns, name),
                                "-o", fmt, check=check)
        return res

    def describe_json(self, ns, name):
        return json.loads(self.describe(ns, name).stdout)

    def events(self, ns, name):
        res = self.sb.kubectl("get", "events", "-n", ns, "-o", "json",
                              "--field-selector",
                              "involvedObject.kind=Ingress,involvedObject.name=" + name)
        return [e for e in json.loads(res.stdout)["items"] if e.get("type") == "Warning"]

    def settled(self, ns, name, want):
        """Describes until want(chain) holds or SETTLE_SECONDS pass; the
        sandbox's controller reconciles on its own clock."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            chain = self.describe_json(ns, name)
            if want(chain) or time.monotonic() > deadline:
                return chain
            time.sleep(0.5)


def has_finding(chain, words):
    return any(words in f["title"] for f in chain["findings"])


class DescribeReportsFailures(unittest.TestCase):
    def run_world(self, name):
        path = os.path.join(TEST_WORLDS, name + ".yaml")
        if not os.path.exists(path):
            self.skipTest("world %s is not written yet" % name)
        words, quotes_event = EXPECTED[name]
        w = World(path)
        try:
            if not w.serves_elbv2():
                self.skipTest("the sandbox does not serve ELBv2 yet")
            ingresses = w.alb_ingresses()
            self.assertTrue(ingresses, "world %s has no ingress" % name)
            found = []
            for ing in ingresses:
                ns, ing_name = ing["metadata"]["namespace"], ing["metadata"]["name"]
                chain = w.settled(ns, ing_name, lambda c: has_finding(c, words))
                if not has_finding(chain, words):
                    continue
                found.append(chain)
                finding = next(f for f in chain["findings"] if words in f["title"])
                allowed = ("error", "warning") if name == "alb-unhealthy-targets" else ("error",)
                self.assertIn(finding["severity"], allowed)
                self.assertTrue(finding["fix"])
                if quotes_event:
                    warnings = w.events(ns, ing_name)
                    self.assertTrue(warnings, "no warning event on %s/%s" % (ns, ing_name))
                    quoted = [e for e in warnings
                              if e["reason"] + ": " + e["message"] in finding["detail"]]
                    self.assertTrue(quoted, "the finding does not quote the event: %r"
                                    % finding["detail"])
                    self.assertIn(quoted[0]["reason"], ("FailedBuildModel", "FailedDeployModel"))
                # The text form carries the same reason.
                text = w.describe(ns, ing_name, fmt="table").stdout
                self.assertIn(finding["title"], text)
            self.assertTrue(found, "no ingress of %s reports %r" % (name, words))
        finally:
            w.close()

    def test_no_subnets(self):
        self.run_world("alb-no-subnets")

    def test_certificate_in_another_region(self):
        self.run_world("alb-cert-wrong-region")

    def test_no_ingress_class(self):
        self.run_world("alb-no-ingressclass")

    def test_access_denied(self):
        self.run_world("alb-access-denied")

    def test_trust_mismatch(self):
        self.run_world("alb-trust-mismatch")

    def test_missing_service(self):
        self.run_world("alb-missing-service")

    def test_unhealthy_targets(self):
        self.run_world("alb-unhealthy-targets")


class DescribeMatchesAwsCli(unittest.TestCase):
    """On the healthy world (and the unhealthy one), the chain's ALB,
    listeners and target health are what the aws CLI reads."""

    def check_world(self, name, expect_healthy):
        path = os.path.join(TEST_WORLDS, name + ".yaml")
        if not os.path.exists(path):
            self.skipTest("world %s is not written yet" % name)
        w = World(path)
        try:
            if not w.serves_elbv2():
                self.skipTest("the sandbox does not serve ELBv2 yet")
            ing = w.alb_ingresses()[0]
            ns, ing_name = ing["metadata"]["namespace"], ing["metadata"]["name"]
            chain = w.settled(ns, ing_name,
                              lambda c: c["albState"] == "active" and c["targetsTotal"] > 0)
            self.assertEqual(chain["albState"], "active")
            lb = chain["loadBalancer"]
            lbs = json.loads(w.sb.aws("elbv2", "describe-load-balancers").stdout)["LoadBalancers"]
            cli_lb = next(x for x in lbs if x["LoadBalancerArn"] == lb["arn"])
            self.assertEqual(lb["dnsName"], cli_lb["DNSName"])
            self.assertEqual(lb["scheme"], cli_lb["Scheme"])
            self.assertEqual(lb["state"], cli_lb["State"]["Code"])
            self.assertEqual(sorted(s["id"] for s in lb["subnets"]),
                             sorted(z["SubnetId"] for z in cli_lb["AvailabilityZones"]))
            self.assertEqual(chain["address"], cli_lb["DNSName"])

            listeners = json.loads(w.sb.aws("elbv2", "describe-listeners", "--load-balancer-arn",
                                            lb["arn"]).stdout)["Listeners"]
            self.assertEqual(sorted(l["port"] for l in chain["listeners"]),
                             sorted(l["Port"] for l in listeners))

            self.assertTrue(chain["targetGroups"])
            healthy = total = 0
            for tg in chain["targetGroups"]:
                res = w.sb.aws("elbv2", "describe-target-health", "--target-group-arn", tg["arn"])
                cli = json.loads(res.stdout)["TargetHealthDescriptions"]
                ours = sorted((t["id"], t["port"], t["state"], t["reason"]) for t in tg["targets"])
                theirs = sorted((d["Target"]["Id"], d["Target"]["Port"],
                                 d["TargetHealth"]["State"], d["TargetHealth"].get("Reason"))
                                for d in cli)
                self.assertEqual(ours, theirs)
                healthy += sum(1 for t in tg["targets"] if t["state"] == "healthy")
                total += len(tg["targets"])
                for t in tg["targets"]:
                    if tg["targetType"] == "ip":
                        self.assertIsNotNone(t.get("pod"), "no pod behind %s" % t["id"])
            self.assertEqual((chain["targetsHealthy"], chain["targetsTotal"]), (healthy, total))
            if expect_healthy:
                self.assertEqual(healthy, total)
                self.assertFalse([f for f in chain["findings"] if f["severity"] == "error"])
            else:
                self.assertLess(healthy, total)
                reasons = {t["reason"] for tg in chain["targetGroups"] for t in tg["targets"]
                           if t["state"] != "healthy"}
                self.assertTrue(all(r and r.startswith(("Target.", "Elb.")) for r in reasons),
                                reasons)
            # The YAML form carries the same document.
            text = w.describe(ns, ing_name, fmt="yaml").stdout
            doc = yaml.safe_load(text)
            self.assertEqual(doc["loadBalancer"]["arn"], lb["arn"])
        finally:
            w.close()

    def test_healthy_world(self):
        self.check_world("alb-healthy", True)

    def test_unhealthy_world(self):
        self.check_world("alb-unhealthy-targets", False)


class DescribeUsage(unittest.TestCase):
    def setUp(self):
        self.sb = Sandbox().start()

    def tearDown(self):
        self.sb.stop()

    def test_unknown_ingress_exits_1(self):
        res = self.sb.albatross("describe", "ingress", "nowhere/nothing", check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("ingress nowhere/nothing not found", res.stderr)

    def test_aws_error_exits_1(self):
        items = json.loads(self.sb.kubectl("get", "ingress", "-A", "-o", "json").stdout)["items"]
        meta = items[0]["metadata"]
        res = self.sb.albatross("describe", "ingress", "%s/%s" % (meta["namespace"], meta["name"]),
                                check=False,
                                AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2="http://127.0.0.1:1")
        self.assertEqual(res.returncode, 1)
        self.assertIn("DescribeLoadBalancers", res.stderr)
        self.assertIn("Ingress: %s/%s" % (meta["namespace"], meta["name"]), res.stdout)
        self.assertIn("ALB state: unknown", res.stdout)

    def test_usage_errors_exit_2(self):
        for args in (["describe"], ["describe", "pod", "a/b"],
                     ["describe", "ingress", "no-slash"], ["describe", "ingress", "a/b/c"],
                     ["describe", "ingress", "a/b", "extra"]):
            res = self.sb.albatross(*args, check=False)
            self.assertEqual(res.returncode, 2, args)
            self.assertIn("albatross: ", res.stderr)

    def test_every_ingress_described(self):
        res = self.sb.albatross("describe", "ingress", "-o", "json")
        doc = json.loads(res.stdout)
        names = sorted((c["namespace"], c["name"]) for c in doc["items"])
        items = json.loads(self.sb.kubectl("get", "ingress", "-A", "-o", "json").stdout)["items"]
        self.assertEqual(names, sorted((i["metadata"]["namespace"], i["metadata"]["name"])
                                       for i in items))
        self.assertIn("unclaimedLoadBalancers", doc)
        for chain in doc["items"]:
            self.assertIn(chain["albState"],
                          ("missing", "provisioning", "active", "failed", "unknown", "-"))
        text = self.sb.albatross("describe", "ingress").stdout
        self.assertEqual(text.count("\nIngress: ") + text.startswith("Ingress: "), len(names))

    def test_get_still_works(self):
        res = self.sb.albatross("get", "ingresses", "-o", "json")
        self.assertIn("items", json.loads(res.stdout))


if __name__ == "__main__":
    unittest.main()
