"""The on-call view on screen against the demo world. The ingress pane
shows ALB states and target counts. The drill-down goes from an ingress
through its load balancer, listener and rule to an unhealthy target and
its pod, and Esc returns to the ingress pane with the cursor where it
was. A broken ingress shows its warning event with the full message.

The world file names the cluster whose load balancer controller runs.
What the panes should show is read from the same sandbox with boto3 and
the Kubernetes API, so the test follows the world when it changes."""

import base64
import json
import re
import shutil
import ssl
import time
import unittest
import urllib.parse
import urllib.request

import boto3
import yaml

from sandbox import Sandbox
from test_screen import DEMO, HEIGHT, WIDTH, Screen, World, row

SETTLE = 30     # seconds for the sandbox's controller to reconcile
TALL = 90       # lines of a screen that shows a long drill-down whole
ALB_CONTROLLER = "ingress.k8s.aws/alb"


def controller_cluster(world):
    """The first cluster where the load balancer controller runs."""
    for cluster in world.clusters:
        if cluster.get("controller") and cluster.get("ingresses"):
            return cluster
    raise unittest.SkipTest("the world has no cluster with the load "
                            "balancer controller and ingresses")


class Truth:
    """Each ingress's load balancer state and target health in the
    sandbox, read with boto3 and the Kubernetes API. kubectl and the aws
    CLI would take seconds per call, because each starts a process."""

    def __init__(self, box, world, cluster):
        env = box.client_env()
        self.region = cluster["region"]
        self.cluster = cluster["name"]
        self.elbv2 = boto3.client(
            "elbv2", region_name=self.region,
            endpoint_url=env["AWS_ENDPOINT_URL"], verify=env["AWS_CA_BUNDLE"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
        context = "arn:aws:eks:%s:%s:cluster/%s" % (
            self.region, world.account, cluster["name"])
        with open(env["KUBECONFIG"]) as f:
            config = yaml.safe_load(f)
        name = next(c["context"]["cluster"] for c in config["contexts"]
                    if c["name"] == context)
        server = next(c["cluster"] for c in config["clusters"]
                      if c["name"] == name)
        self.server = server["server"]
        self.tls = ssl.create_default_context(cadata=base64.b64decode(
            server["certificate-authority-data"]).decode())
        res = box.aws("eks", "get-token", "--cluster-name", cluster["name"],
                      "--region", self.region)
        self.token = json.loads(res.stdout)["status"]["token"]

    def kube(self, path):
        """The items of a Kubernetes list, every page of it."""
        items, cont = [], ""
        while True:
            url = self.server + path + "?limit=500" + (
                "&continue=" + urllib.parse.quote(cont) if cont else "")
            req = urllib.request.Request(
                url, headers={"Authorization": "Bearer " + self.token})
            with urllib.request.urlopen(req, context=self.tls, timeout=10) as r:
                page = json.load(r)
            items += page.get("items") or []
            cont = (page.get("metadata") or {}).get("continue")
            if not cont:
                return items

    def aws(self, operation, key, **params):
        """Every page of an ELBv2 describe call's list key."""
        if self.elbv2.can_paginate(operation):
            pages = self.elbv2.get_paginator(operation).paginate(**params)
            return [x for page in pages for x in page[key]]
        return getattr(self.elbv2, operation)(**params)[key]

    def ingresses(self):
        return self.kube("/apis/networking.k8s.io/v1/ingresses")

    def load_balancers(self):
        return self.aws("describe_load_balancers", "LoadBalancers")

    def tags(self, arns):
        """ARN -> {key: value}, 20 ARNs a call as the API allows."""
        tags = {}
        for i in range(0, len(arns), 20):
            for d in self.aws("describe_tags", "TagDescriptions",
                              ResourceArns=arns[i:i + 20]):
                tags[d["ResourceArn"]] = {t["Key"]: t["Value"] for t in d["Tags"]}
        return tags

    def target_groups(self):
        """Target groups with their resource tag and target health."""
        groups = self.aws("describe_target_groups", "TargetGroups")
        tags = self.tags([g["TargetGroupArn"] for g in groups])
        for g in groups:
            g["resource"] = tags.get(g["TargetGroupArn"], {}).get(
                "ingress.k8s.aws/resource", "")
            g["health"] = self.aws("describe_target_health",
                                   "TargetHealthDescriptions",
                                   TargetGroupArn=g["TargetGroupArn"])
        return groups

    def rows(self):
        """(namespace, name) -> the ALB, TARGETS and ADDRESS cells as the
        ingress pane should show them, and the target groups."""
        classes = {c["metadata"]["name"]: c["spec"].get("controller")
                   for c in self.kube("/apis/networking.k8s.io/v1/ingressclasses")}
        lbs = self.load_balancers()
        by_dns = {lb["DNSName"]: lb for lb in lbs}
        # The controller tags what it makes with the cluster and the
        # stack: the group name, or the ingress's namespace/name.
        tags = self.tags([lb["LoadBalancerArn"] for lb in lbs])
        by_stack = {}
        for lb in lbs:
            t = tags.get(lb["LoadBalancerArn"], {})
            if t.get("elbv2.k8s.aws/cluster") == self.cluster:
                by_stack[t.get("ingress.k8s.aws/stack")] = lb
        self.ours = list(by_stack.values())     # tagged for the cluster
        self.claimed = set()
        groups = self.target_groups()
        self.managed = set()    # the ingresses of the controller
        out = {}

        for ing in self.ingresses():
            meta = ing["metadata"]
            key = (meta["namespace"], meta["name"])
            status = (ing.get("status") or {}).get("loadBalancer") or {}
            hostname = ((status.get("ingress") or [{}])[0]).get("hostname")
            klass = ing["spec"].get("ingressClassName") or \
                (meta.get("annotations") or {}).get("kubernetes.io/ingress.class")
            if classes.get(klass) == ALB_CONTROLLER:
                self.managed.add(key)
            annotations = meta.get("annotations") or {}
            stack = annotations.get("alb.ingress.kubernetes.io/group.name") or \
                "%s/%s" % key
            lb = by_stack.get(stack) or by_dns.get(hostname)

            if lb:
                self.claimed.add(lb["LoadBalancerArn"])
                state = lb["State"]["Code"].replace("active_impaired", "active")
            elif klass in classes and classes[klass] != ALB_CONTROLLER:
                state = "-"
            else:
                state = "missing"

            mine = [g for g in groups if lb and
                    lb["LoadBalancerArn"] in g["LoadBalancerArns"] and
                    g["resource"].startswith("%s/%s-" % key)]
            total = sum(len(g["health"]) for g in mine)
            healthy = sum(1 for g in mine for t in g["health"]
                          if t["TargetHealth"]["State"] == "healthy")
            out[key] = (state, "%d/%d" % (healthy, total) if mine else "-",
                        hostname or "none")
        return out, groups

    def settled_rows(self):
        """rows() once the controller is done: every load balancer past
        provisioning, every target past its first health checks, and every
        ingress of the controller with a load balancer or a warning event.
        After SETTLE seconds, rows() as they are."""
        deadline = time.monotonic() + SETTLE
        while True:
            now, groups = self.rows()
            warned = {(e["involvedObject"]["namespace"], e["involvedObject"]["name"])
                      for e in self.warnings()}
            busy = any(s == "provisioning" or (s == "missing" and key in
                                               self.managed and key not in warned)
                       for key, (s, _, _) in now.items()) or any(
                t["TargetHealth"]["State"] == "initial"
                for g in groups for t in g["health"])
            if not busy or time.monotonic() > deadline:
                return now, groups
            time.sleep(1)

    def pod_with_ip(self, ip):
        for pod in self.kube("/api/v1/pods"):
            if (pod.get("status") or {}).get("podIP") == ip:
                return pod["metadata"]["namespace"], pod["metadata"]["name"]
        return None

    def rule_to(self, lb_arn, group_arn):
        """The listener (protocol, port) and rule priority that forward to
        the target group."""
        for listener in self.aws("describe_listeners", "Listeners",
                                 LoadBalancerArn=lb_arn):
            rules = self.aws("describe_rules", "Rules",
                             ListenerArn=listener["ListenerArn"])
            for rule in rules:
                text = json.dumps(rule["Actions"])
                if group_arn in text:
                    return listener["Protocol"], listener["Port"], rule["Priority"]
        return None

    def warnings(self):
        """Warning events on ingresses, newest last."""
        events = [e for e in self.kube("/api/v1/events")
                  if e.get("type") == "Warning" and
                  e.get("involvedObject", {}).get("kind") == "Ingress"]
        return sorted(events, key=lambda e: e.get("lastTimestamp") or
                      e.get("eventTime") or "")


def selected_line(screen):
    """The number and text of the line drawn in reverse video (NO_COLOR
    draws the selected row so)."""
    raw = screen.text(escapes=True).split("\n")
    for n, line in enumerate(raw):
        if n < 3:   # the header lines and the title, in reverse too
            continue
        if re.search(r"\x1b\[(?:[0-9;]*;)?7[;m]", line):
            return n, re.sub(r"\x1b\[[0-9;]*m", "", line)
    return None, None


def joined(lines):
    return " ".join(" ".join(lines).split())


class OnCallScreenTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        cls.world = World(DEMO)
        cls.cluster = controller_cluster(cls.world)
        cls.box = Sandbox(world=DEMO)
        cls.box.start()
        cls.truth = Truth(cls.box, cls.world, cls.cluster)
        cls.rows, cls.groups = cls.truth.settled_rows()

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()

    def open_ingresses(self, height=HEIGHT):
        screen = Screen(self.box, ["--cluster", self.cluster["name"]],
                        width=WIDTH, height=height, NO_COLOR="1")
        self.addCleanup(screen.close)
        screen.wait_for(self.cluster["name"])
        screen.keys("4")
        names = [name for _, name in self.rows]
        screen.wait_for("Ingresses of %s" % self.cluster["name"], *names)
        return screen

    def wait_rows(self, screen):
        """Waits until every ingress's row shows its ALB state and targets
        as the sandbox has them; returns the screen."""
        deadline = time.monotonic() + 20
        while True:
            text = screen.settled_text()
            wrong = []
            for (ns, name), (state, targets, address) in sorted(self.rows.items()):
                line = row(text, ns, name)
                # ADDRESS may be cut, with an ellipsis, to fit the screen.
                if not line or not re.search(r"\s%s\s+%s\s.*\s%s" % (
                        re.escape(state), re.escape(targets),
                        re.escape(address[:24])), line):
                    wrong.append((ns, name, state, targets, address, line))
            if not wrong:
                return text
            if time.monotonic() > deadline:
                self.fail("rows differ from the sandbox: %r\n%s" % (wrong, text))
            time.sleep(0.2)

    def select(self, screen, ns, name):
        """Moves the cursor down to the ingress's row; returns its line."""
        text = screen.settled_text()
        lines = text.split("\n")
        target = lines.index(row(text, ns, name))
        first = next(n for n, l in enumerate(lines) if l.startswith("NAMESPACE"))
        for _ in range(target - first - 1):
            screen.keys("j")
        deadline = time.monotonic() + 5
        while selected_line(screen)[0] != target and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(selected_line(screen)[0], target, text)
        return target

    def drill(self, screen, term, title):
        """Filters the view for term, opens the selected line, and waits
        for the next view's title."""
        screen.keys("/")
        screen.type(term)
        screen.keys("Enter")
        screen.wait_for('filter "%s"' % term)
        screen.keys("Enter")
        return screen.wait_for(title)

    def back_to(self, screen, title):
        for _ in range(16):
            screen.keys("Escape")
            time.sleep(0.15)
            if screen.settled_text().split("\n")[2].strip().startswith(title):
                return screen.settled_text()
        self.fail("Esc never reached %r:\n%s" % (title, screen.settled_text()))

    def test_pane_shows_alb_states_and_targets(self):
        states = {state for state, _, _ in self.rows.values()}
        self.assertIn("active", states, "no active load balancer in %s" % self.rows)
        screen = self.open_ingresses()
        text = self.wait_rows(screen)
        self.assertIsNotNone(row(text, "NAMESPACE", "NAME", "CLASS", "HOSTS", "ALB",
                                 "TARGETS", "LAST WARNING"), text)

    def test_alb_command_lists_unclaimed(self):
        unclaimed = [lb for lb in self.truth.ours
                     if lb["LoadBalancerArn"] not in self.truth.claimed]
        if not unclaimed:
            self.skipTest("the world has no load balancer that no ingress claims")
        screen = self.open_ingresses()
        screen.keys(":")
        screen.type("alb")
        screen.keys("Enter")
        text = screen.wait_for("Load balancers of %s (%d, %d claimed by no ingress)" % (
            self.cluster["name"], len(self.truth.claimed) + len(unclaimed),
            len(unclaimed)))
        for lb in unclaimed:
            line = row(text, lb["LoadBalancerName"], lb["State"]["Code"])
            self.assertIsNotNone(line, text)
            self.assertIn("none (unclaimed)", line)

    def unhealthy_target(self):
        """An unhealthy target behind an ingress: the ingress, its target
        group and the target's health description."""
        lbs = {lb["LoadBalancerArn"]: lb for lb in self.truth.load_balancers()}
        for group in self.groups:
            for target in group["health"]:
                if target["TargetHealth"]["State"] != "unhealthy":
                    continue
                for (ns, name) in self.rows:
                    if group["resource"].startswith("%s/%s-" % (ns, name)):
                        lb = lbs[group["LoadBalancerArns"][0]]
                        return (ns, name), lb, group, target
        self.skipTest("the world has no unhealthy target behind an ingress")

    def test_drill_to_unhealthy_target_and_back(self):
        (ns, name), lb, group, target = self.unhealthy_target()
        ip, port = target["Target"]["Id"], target["Target"]["Port"]
        reason = target["TargetHealth"]["Reason"]
        pod = self.truth.pod_with_ip(ip)
        self.assertIsNotNone(pod, "no pod has IP %s" % ip)
        protocol, listener_port, priority = self.truth.rule_to(
            lb["LoadBalancerArn"], group["TargetGroupArn"])

        screen = self.open_ingresses()
        self.wait_rows(screen)
        line = self.select(screen, ns, name)
        screen.keys("Enter")
        text = screen.wait_for("Ingress %s/%s of" % (ns, name), "Load balancer")
        # The findings come first, under the title.
        self.assertTrue(text.split("\n")[3].startswith("Findings"), text)

        self.drill(screen, lb["LoadBalancerName"],
                   "Load balancer %s of" % lb["LoadBalancerName"])
        self.drill(screen, "%s:%d" % (protocol, listener_port),
                   "Listener %s:%d of" % (protocol, listener_port))
        title = "Default rule of" if priority == "default" else \
            "Rule %s of" % priority
        self.drill(screen, group["TargetGroupName"], title)
        text = self.drill(screen, group["TargetGroupName"],
                          "Targets of %s" % group["TargetGroupName"])
        line_of_target = row(text, ip, str(port))
        self.assertIsNotNone(line_of_target, text)
        self.assertRegex(line_of_target, r"\sunhealthy\s+%s\s+%s/%s\s" % (
            re.escape(reason), re.escape(pod[0]), re.escape(pod[1])))

        text = self.drill(screen, ip, "Target %s:%d, pod %s/%s" % (ip, port, *pod))
        self.assertIsNotNone(row(text, "Reason", reason), text)
        self.assertIsNotNone(row(text, "Name", pod[1]), text)

        text = self.back_to(screen, "Ingresses of")
        self.assertEqual(selected_line(screen)[0], line, text)
        self.assertIsNotNone(row(selected_line(screen)[1], ns, name), text)

    def test_broken_ingress_shows_warning_event(self):
        warnings = [e for e in self.truth.warnings()
                    if e["reason"] in ("FailedBuildModel", "FailedDeployModel")]
        if not warnings:
            self.skipTest("the world has no ingress the controller fails on")
        event = warnings[-1]
        ns = event["involvedObject"]["namespace"]
        name = event["involvedObject"]["name"]

        screen = self.open_ingresses(height=TALL)
        text = self.wait_rows(screen)
        state, targets, _ = self.rows[(ns, name)]
        self.assertRegex(row(text, ns, name), r"\s%s\s+%s\s+\d+[smhdy]\s" % (
            re.escape(state), re.escape(targets)), "no age in LAST WARNING")
        self.select(screen, ns, name)
        screen.keys("Enter")
        text = screen.wait_for("Ingress %s/%s of" % (ns, name),
                               "Warning  %s" % event["reason"])
        lines = text.split("\n")
        start = next(n for n, l in enumerate(lines)
                     if l.startswith("  Warning  %s" % event["reason"]))
        message = []
        for l in lines[start + 1:]:
            if not l.startswith(" " * 11):
                break
            message.append(l)
        self.assertEqual(joined(message), joined([event["message"]]))


if __name__ == "__main__":
    unittest.main()
