"""Faults injected by the sandbox, one test per kind: throttling, 5xx,
latency past the timeout, a server that never replies, connections closed
mid-body, truncated and malformed bodies, expired credentials and tokens,
a skewed clock and Kubernetes 429s with Retry-After. Each checks the
exit status, the message albatross prints and the retries its log file
records.

The sandbox's fault choices come from a seeded generator per service, so
a seed gives the same faults on every run; the seeds below were picked
for the sequence each test needs, as the comments say. Retry delays are
scaled down with ALBATROSS_RETRY_BASE_MS to keep the suite fast."""
import json
import os
import re
import socket
import subprocess
import time
import unittest

from sandbox import Sandbox
from test_api_aws import (TOOL, irsa_role, trusted_subject,
                          write_web_identity_token)
from test_screen import Screen

FAST = {"ALBATROSS_RETRY_BASE_MS": "10"}


def faulted(*specs, seed=None, args=()):
    args = list(args)
    for spec in specs:
        args += ["--fault", spec]
    if seed is not None:
        args += ["--seed", str(seed)]
    return Sandbox(args=args)


def run(box, *args, attempts="3", **extra):
    """Runs albatross with a log file; returns the result, its log text
    and the seconds it took."""
    log = os.path.join(box.dir.name, "albatross-%d.log" % time.monotonic_ns())
    env = dict(FAST, AWS_MAX_ATTEMPTS=attempts)
    env.update(extra)
    start = time.monotonic()
    res = box.albatross("--log", log, *args, check=False, timeout=60, **env)
    took = time.monotonic() - start
    with open(log) as f:
        text = f.read()
    return res, text, took


def retries(log, what):
    return len(re.findall(re.escape(what) + r"[^\n]*retrying in \d+ ms", log))


def names(output):
    return sorted(item["name"] for item in json.loads(output)["items"])


class Baseline(unittest.TestCase):
    """What a run without faults prints, to compare faulted runs with."""

    roles = None

    @classmethod
    def setUpClass(cls):
        if Baseline.roles is None:
            with Sandbox() as box:
                res, _, _ = run(box, "get", "roles", "-o", "json")
                Baseline.roles = names(res.stdout)
                res, _, _ = run(box, "get", "sa", "-o", "json")
                Baseline.service_accounts = names(res.stdout)


class Throttling(Baseline):
    def test_half_throttled_succeeds(self):
        # Seed 2 throttles the first two ListRoles attempts and one of the
        # second page, so every page succeeds within 3 attempts.
        with faulted("iam:throttle=0.5", seed=2) as box:
            res, log, _ = run(box, "get", "roles", "-o", "json")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(names(res.stdout), self.roles)
            self.assertEqual(retries(log, "IAM ListRoles: attempt"), 3)
            self.assertIn("failed: Throttling (HTTP 400)", log)
            # Each throttled IAM request is retried once: the ListRoles
            # pages, then ListOpenIDConnectProviders for the role counts.
            self.assertEqual(box.output().count("fault: iam / replied 400"),
                             3 + retries(log, "IAM ListOpenIDConnectProviders"
                                              ": attempt"))

    def test_always_throttled_gives_up(self):
        with faulted("iam:throttle=1") as box:
            res, log, took = run(box, "get", "roles")
            self.assertEqual(res.returncode, 1)
            self.assertIn("list roles: Throttling: Rate exceeded (IAM "
                          "ListRoles, gave up after 3 attempts)", res.stderr)
            self.assertEqual(retries(log, "IAM ListRoles: attempt"), 2)
            self.assertLess(took, 10)

    def test_max_attempts_honoured(self):
        with faulted("iam:throttle=1") as box:
            res, log, _ = run(box, "get", "roles", attempts="5")
            self.assertIn("gave up after 5 attempts", res.stderr)
            self.assertEqual(retries(log, "IAM ListRoles: attempt"), 4)
            res, log, _ = run(box, "get", "roles", attempts="1")
            self.assertIn("list roles: Throttling: Rate exceeded\n",
                          res.stderr)
            self.assertEqual(retries(log, "IAM ListRoles"), 0)

    def test_invalid_max_attempts_rejected(self):
        with Sandbox() as box:
            res, _, _ = run(box, "get", "roles", attempts="0")
            self.assertEqual(res.returncode, 2)
            self.assertIn("invalid max attempts '0' in AWS_MAX_ATTEMPTS: use "
                          "a whole number from 1 (no retries) to 20",
                          res.stderr)

    def test_other_panes_load_when_iam_fails(self):
        with faulted("iam:throttle=1") as box:
            res, _, _ = run(box, "get", "sa", "-o", "json")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(names(res.stdout), self.service_accounts)
            res, _, _ = run(box, "get", "clusters")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn("alb-demo-cluster", res.stdout)

    def test_ec2_and_eks_throttling_codes(self):
        # The kubeconfig's cluster is still listed when EKS fails.
        with faulted("ec2:throttle=1", "eks:throttle=1") as box:
            res, log, _ = run(box, "get", "clusters", attempts="2")
            self.assertIn("alb-demo-cluster", res.stdout)
            self.assertIn("EC2 DescribeRegions: attempt 1 of 2 failed: "
                          "RequestLimitExceeded (HTTP 503)", log)
            self.assertIn("EKS ListClusters: attempt 1 of 2 failed: "
                          "ThrottlingException (HTTP 429)", log)


class ServerErrors(Baseline):
    def test_503_retried_then_succeeds(self):
        # The same seed as the throttling test: three of five attempts fail.
        with faulted("iam:503=0.5", seed=2) as box:
            res, log, _ = run(box, "get", "roles", "-o", "json")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(names(res.stdout), self.roles)
            self.assertEqual(len(re.findall(
                r"IAM ListRoles: attempt \d of 3 failed: ServiceUnavailable "
                r"\(HTTP 503\); retrying", log)), 3)

    def test_proxy_502_retried(self):
        with faulted("iam:502=1") as box:
            res, log, _ = run(box, "get", "roles")
            self.assertEqual(res.returncode, 1)
            self.assertIn("list roles: 502: HTTP 502 with no AWS error in the "
                          "reply", res.stderr)
            self.assertIn("gave up after 3 attempts", res.stderr)
            self.assertEqual(retries(log, "IAM ListRoles: attempt"), 2)

    def test_kubernetes_500_retried(self):
        with faulted("k8s:500=1") as box:
            res, log, _ = run(box, "get", "sa", attempts="2")
            self.assertEqual(res.returncode, 1)
            self.assertIn("InternalError", res.stderr)
            self.assertIn("gave up after 2 attempts", res.stderr)
            self.assertIn("GET /api/v1/serviceaccounts: attempt 1 of 2 "
                          "failed: InternalError (HTTP 500)", log)


class Timeouts(unittest.TestCase):
    def test_latency_past_total_timeout(self):
        with faulted("iam:latency=1500") as box:
            res, _, took = run(box, "get", "roles", attempts="1",
                               ALBATROSS_HTTP_TIMEOUT_MS="300")
            self.assertEqual(res.returncode, 1)
            port = box.env["AWS_ENDPOINT_URL"].rsplit(":", 1)[1]
            self.assertIn("list roles: Timeout: IAM ListRoles to", res.stderr)
            self.assertIn("timed out after 0.3 s waiting for the reply of "
                          "127.0.0.1:%s (the limit is 300 ms; "
                          "ALBATROSS_HTTP_TIMEOUT_MS sets it)" % port,
                          res.stderr)
            self.assertLess(took, 1.4)

    def test_hung_server_connect_timeout(self):
        # A socket that listens and never accepts: TCP connects, TLS
        # never replies.
        with Sandbox() as box, socket.socket() as hung:
            hung.bind(("127.0.0.1", 0))
            hung.listen(1)
            port = hung.getsockname()[1]
            res, log, took = run(
                box, "get", "roles", attempts="2",
                AWS_ENDPOINT_URL_IAM="https://127.0.0.1:%d" % port,
                ALBATROSS_CONNECT_TIMEOUT_MS="300")
            self.assertEqual(res.returncode, 1)
            self.assertIn("timed out after 0.3 s connecting to 127.0.0.1:%d "
                          "(the limit is 300 ms; ALBATROSS_CONNECT_TIMEOUT_MS "
                          "sets it)" % port, res.stderr)
            self.assertIn("IAM ListRoles: attempt 1 of 2 failed: Timeout", log)
            self.assertLess(took, 3)

    def test_invalid_timeout_rejected(self):
        with Sandbox() as box:
            res, _, _ = run(box, "get", "roles",
                            ALBATROSS_HTTP_TIMEOUT_MS="soon")
            self.assertEqual(res.returncode, 2)
            self.assertIn("invalid ALBATROSS_HTTP_TIMEOUT_MS 'soon'",
                          res.stderr)


class BrokenReplies(unittest.TestCase):
    def test_closed_mid_body(self):
        with faulted("iam:close=1") as box:
            res, log, _ = run(box, "get", "roles")
            self.assertEqual(res.returncode, 1)
            self.assertRegex(res.stderr, r"list roles: ConnectionFailed: IAM "
                             r"ListRoles to \S+ failed: transfer closed with "
                             r"\d+ bytes remaining to read")
            self.assertEqual(retries(log, "IAM ListRoles: attempt"), 2)

    def test_truncated_xml(self):
        with faulted("iam:truncate=1") as box:
            res, _, _ = run(box, "get", "roles")
            self.assertEqual(res.returncode, 1)
            self.assertIn("list roles: InvalidReply: IAM ListRoles reply is "
                          "not valid XML", res.stderr)

    def test_malformed_xml(self):
        with faulted("iam:malformed=1") as box:
            res, _, _ = run(box, "get", "roles")
            self.assertEqual(res.returncode, 1)
            self.assertIn("list roles: InvalidReply: IAM ListRoles reply is "
                          "not valid XML", res.stderr)

    def test_truncated_and_malformed_json(self):
        for fault in ("k8s:truncate=1", "k8s:malformed=1"):
            with self.subTest(fault=fault), faulted(fault) as box:
                res, _, _ = run(box, "get", "sa")
                self.assertEqual(res.returncode, 1, res.stdout)
                self.assertRegex(res.stderr, r"^albatross: .*(JSON|json)")
                self.assertNotIn("Segmentation", res.stderr)


class ExpiredCredentials(Baseline):
    def test_aws_credentials_resolved_again(self):
        with faulted("iam:expiredToken=1") as box:
            res, log, _ = run(box, "get", "roles", "-o", "json",
                              attempts="1")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(names(res.stdout), self.roles)
            self.assertIn("IAM ListRoles: ExpiredToken: resolving "
                          "credentials again", log)
            self.assertEqual(log.count("aws: credentials from environment"),
                             2)
            self.assertIn("POST / 403", box.output())

    def test_kubernetes_token_made_again(self):
        with faulted("k8s:expiredToken=1") as box:
            res, log, _ = run(box, "get", "sa", "-o", "json", attempts="1")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(names(res.stdout), self.service_accounts)
            self.assertEqual(log.count("rejected the token (401); making a "
                                       "new one"), 1)
            self.assertRegex(box.output(), r"GET /k8s/\S+ 401")

    def test_kubernetes_token_rejected_twice_fails(self):
        with faulted("k8s:expiredToken=4") as box:
            res, _, _ = run(box, "get", "sa", attempts="1")
            self.assertEqual(res.returncode, 1)
            self.assertIn("Unauthorized", res.stderr)


class ClockSkew(Baseline):
    def test_clock_behind_corrected(self):
        with faulted("iam:skew=3600") as box:
            res, log, _ = run(box, "get", "roles", "-o", "json",
                              attempts="1")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(names(res.stdout), self.roles)
            self.assertIn("the local clock is 3600 s behind AWS's", log)
            self.assertIn("POST / 403", box.output())

    def test_clock_ahead_corrected(self):
        with faulted("eks:skew=-3600") as box:
            res, log, _ = run(box, "get", "clusters", "--region",
                              "us-east-2", attempts="1")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn("alb-demo-cluster", res.stdout)
            self.assertRegex(log, r"the local clock is 360\d s ahead of "
                             r"AWS's")


class KubernetesThrottling(Baseline):
    def test_retry_after_honoured(self):
        # Seed 21 throttles the first two Kubernetes requests (the service
        # account and ingress lists, in either order) and no others.
        with faulted("k8s:throttle=0.5,retryAfter=1", seed=21) as box:
            res, log, took = run(box, "get", "sa", "-o", "json")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(names(res.stdout), self.service_accounts)
            self.assertEqual(len(re.findall(
                r"attempt 1 of 3 failed: TooManyRequests \(HTTP 429\); "
                r"retrying in 1000 ms", log)), 2)
            self.assertGreaterEqual(took, 1.0)

    def test_always_throttled_gives_up(self):
        with faulted("k8s:throttle=1,retryAfter=0") as box:
            res, _, _ = run(box, "get", "sa", attempts="2")
            self.assertEqual(res.returncode, 1)
            self.assertIn("TooManyRequests: Too many requests, please try "
                          "again later. (gave up after 2 attempts)",
                          res.stderr)


class WebIdentity(unittest.TestCase):
    """AssumeRoleWithWebIdentity is an unsigned STS call with the standard
    retries; aws_tool identity resolves web identity credentials and then
    signs GetCallerIdentity with them."""

    def identity(self, box, attempts="3"):
        """Runs aws_tool identity with only a web identity token for the
        world's IRSA role; returns (exit status, JSON output, log, role
        ARN, token file text)."""
        name, arn, statement = irsa_role(box)
        token = os.path.join(box.dir.name, "token")
        write_web_identity_token(token, statement, trusted_subject(statement))
        log = os.path.join(box.dir.name, "tool-%d.log" % time.monotonic_ns())
        env = box.client_env(
            AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="",
            AWS_WEB_IDENTITY_TOKEN_FILE=token, AWS_ROLE_ARN=arn,
            AWS_ROLE_SESSION_NAME="faults", AWS_MAX_ATTEMPTS=attempts,
            AWS_TOOL_LOG=log, **FAST)
        res = subprocess.run([TOOL, "identity"], env=env, capture_output=True,
                             text=True, timeout=60)
        with open(log) as f, open(token) as t:
            return (res.returncode, json.loads(res.stdout), f.read(), arn,
                    t.read())

    def test_throttled_sts_retried(self):
        # Seed 2 fails the first AssumeRoleWithWebIdentity attempt, and
        # every STS call succeeds within 3 attempts; the same holds for
        # the 503s below.
        with faulted("sts:throttle=0.5", seed=2) as box:
            rc, out, log, arn, token = self.identity(box)
            self.assertEqual(rc, 0, out)
            self.assertIn("STS AssumeRoleWithWebIdentity: attempt 1 of 3 "
                          "failed: Throttling (HTTP 400)", log)
            self.assertIn("aws: credentials from web identity", log)
            role = arn.split("/")[-1]
            self.assertTrue(out["arn"].endswith(
                ":assumed-role/%s/faults" % role), out["arn"])
            self.assertNotIn(token, log)

    def test_sts_5xx_retried(self):
        with faulted("sts:503=0.5", seed=2) as box:
            rc, out, log, _, _ = self.identity(box)
            self.assertEqual(rc, 0, out)
            self.assertIn("STS AssumeRoleWithWebIdentity: attempt 1 of 3 "
                          "failed: ServiceUnavailable (HTTP 503)", log)

    def test_always_throttled_names_role(self):
        with faulted("sts:throttle=1") as box:
            rc, out, log, arn, token = self.identity(box)
            self.assertEqual(rc, 1, out)
            self.assertEqual(out["error"]["code"], "NoCredentials")
            self.assertIn("web identity: STS AssumeRoleWithWebIdentity for "
                          "%s failed: Throttling: Rate exceeded (STS "
                          "AssumeRoleWithWebIdentity, gave up after 3 "
                          "attempts)" % arn, out["error"]["message"])
            self.assertEqual(retries(log, "STS AssumeRoleWithWebIdentity: "
                                          "attempt"), 2)
            self.assertNotIn(token, log)


STOREFRONT = "shop/storefront"  # the demo ingress with an ALB, ACM and WAF
RETRIED = {
    "elbv2": "Elastic Load Balancing v2 Describe",
    "acm": "ACM DescribeCertificate: attempt",
    "wafv2": "WAFV2 GetWebACLForResource: attempt",
}


def settled(*specs):
    """A faulted sandbox whose load balancers settle at once."""
    return faulted(*specs, args=["--clock-speed", "instant"])


def describe(box, attempts="3"):
    """albatross describe ingress STOREFRONT: the result, the log and the
    output with event ages blanked, as lines."""
    res, log, _ = run(box, "describe", "ingress", STOREFRONT,
                      attempts=attempts)
    out = re.sub(r"^  \d+[smhd] ", "  AGE ", res.stdout, flags=re.M)
    return res, log, out.splitlines()


class LoadBalancerServices(unittest.TestCase):
    """The on-call path through ELBv2, ACM and WAFv2 under their own
    throttling and 5xx replies."""

    baseline = None

    @classmethod
    def setUpClass(cls):
        if cls.baseline is None:
            with settled() as box:
                res, _, lines = describe(box)
                if res.returncode != 0:
                    raise AssertionError(res.stderr)
                LoadBalancerServices.baseline = lines

    def test_faults_retried_to_same_output(self):
        # With the default seed each of these fails some calls of its
        # service at least once; 10 attempts let every call through.
        for spec in ("elbv2:throttle=0.5", "elbv2:503=0.5",
                     "acm:throttle=0.5", "acm:503=0.5",
                     "wafv2:throttle=0.5", "wafv2:500=0.5"):
            with self.subTest(spec=spec), settled(spec) as box:
                res, log, lines = describe(box, attempts="10")
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(lines, self.baseline)
                service = spec.split(":")[0]
                self.assertGreater(retries(log, RETRIED[service]), 0, log)
                self.assertNotIn("gave up", log)

    def test_elbv2_exhausted_keeps_ingress(self):
        with settled("elbv2:throttle=1") as box:
            res, log, lines = describe(box)
            self.assertEqual(res.returncode, 1)
            self.assertRegex(res.stderr, r"ingress shop/storefront: "
                             r"Throttling: Rate exceeded \(Elastic Load "
                             r"Balancing v2 Describe(LoadBalancers|"
                             r"TargetGroups), gave up after 3 attempts\)")
            # What Kubernetes shows is printed as without the fault.
            ingress = self.baseline[:self.baseline.index("Load balancer:")]
            backend = [l for l in ingress if l.startswith("  Backend:")]
            self.assertEqual(len(backend), 1)
            for line in ingress:
                if "ALB state" not in line and "Healthy targets" not in line:
                    self.assertIn(line, lines)
            events = self.baseline.index("Events:")
            self.assertEqual(lines[lines.index("Events:") + 1],
                             self.baseline[events + 1])
            self.assertIn("  ALB state: unknown", lines)

    def test_acm_exhausted_names_certificate(self):
        with settled("acm:throttle=1") as box:
            res, _, lines = describe(box)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn("  warning: Certificate not readable", lines)
            self.assertIn("ThrottlingException: Rate exceeded (ACM "
                          "DescribeCertificate, gave up after 3 attempts)",
                          "\n".join(lines))
            # Everything but the certificate's line and findings is intact.
            end = self.baseline.index("Findings:")
            kept = [l for l in self.baseline[:end]
                    if "Certificate:" not in l]
            self.assertEqual([l for l in lines[:lines.index("Findings:")]
                              if "Certificate:" not in l], kept)

    def test_wafv2_exhausted_not_reported_missing(self):
        with settled("wafv2:throttle=1") as box:
            res, _, lines = describe(box)
            self.assertEqual(res.returncode, 0, res.stderr)
            text = "\n".join(lines)
            self.assertIn("  warning: Web ACL not readable", lines)
            self.assertIn("GetWebACLForResource of the load balancer failed: "
                          "ThrottlingException: Rate exceeded (WAFV2 "
                          "GetWebACLForResource, gave up after 3 attempts)",
                          text)
            self.assertNotIn("Web ACL not attached", text)
            end = self.baseline.index("Findings:")
            kept = [l for l in self.baseline[:end] if "Web ACL:" not in l]
            self.assertEqual(lines[:lines.index("Findings:")], kept)


class Screens(unittest.TestCase):
    def test_roles_pane_shows_throttling(self):
        with faulted("iam:throttle=1") as box:
            screen = Screen(box, AWS_MAX_ATTEMPTS="2", **FAST)
            try:
                screen.wait_for("alb-demo-cluster")
                screen.keys("3")
                screen.wait_for("Throttling", "gave up after 2 attempts")
                screen.keys("2")
                screen.wait_for("report-worker-1")
                screen.keys("q")
                self.assertEqual(screen.wait_exit(), 0)
            finally:
                screen.close()

    def test_cancel_key_stops_loads(self):
        with faulted("all:latency=800") as box:
            screen = Screen(box, **FAST)
            try:
                screen.wait_for("loading identity")
                screen.keys("x")
                screen.wait_for("account unknown (Cancelled)",
                                "press r to load again", timeout=3)
                screen.wait_gone("loading", timeout=1)
                screen.keys("q")
                self.assertEqual(screen.wait_exit(), 0)
            finally:
                screen.close()


class IngressPane(unittest.TestCase):
    """The ingress pane and its drill-down under ELBv2, ACM and WAFv2
    faults."""

    def open_storefront(self, box, attempts, loaded=None):
        """Opens the ingress pane, waits until loaded is on it (or nothing
        is loading) and drills into the storefront row; returns the screen
        and the pane's text."""
        screen = Screen(box, AWS_MAX_ATTEMPTS=attempts, **FAST)
        self.addCleanup(screen.close)
        screen.wait_for("alb-demo-cluster")
        screen.keys("4")
        screen.wait_for("Ingresses of alb-demo-cluster", "storefront")
        pane = screen.wait_for(loaded) if loaded else screen.wait_idle()
        screen.keys("/")
        screen.type("storefront")
        screen.keys("Enter")
        screen.wait_for('filter "storefront"')
        screen.keys("Enter")
        screen.wait_for("Ingress shop/storefront of alb-demo-cluster")
        return screen, pane

    def test_retried_faults_change_nothing(self):
        with settled("elbv2:throttle=0.5", "acm:throttle=0.5",
                     "wafv2:503=0.5") as box:
            screen, pane = self.open_storefront(box, "10")
            self.assertRegex(pane, r"storefront +alb +shop\.example\.com\S* "
                             r"+active +3/3 ")
            text = screen.wait_for("Findings (1)", "Certificate expired",
                                   "3/3 healthy", "HTTPS:443  5 rules")
            self.assertNotIn("not readable", text)
            screen.keys("q")
            self.assertEqual(screen.wait_exit(), 0)

    def test_elbv2_exhausted_reported(self):
        with settled("elbv2:throttle=1") as box:
            failed = ("loading the load balancers of alb-demo-cluster "
                      "failed: Throttling")
            screen, pane = self.open_storefront(box, "2", failed)
            self.assertRegex(pane, r"storefront +alb +shop\.example\.com\S* "
                             r"+error ")
            screen.wait_for("Loading failed: Throttling: Rate exceeded "
                            "(Elastic Load Balancing v2 Describe")
            screen.wait_for("gave up after 2 attempts", "Successfully "
                            "reconciled", "storefront:80")
            screen.keys("q")
            self.assertEqual(screen.wait_exit(), 0)

    def test_acm_and_wafv2_exhausted_reported(self):
        with settled("acm:throttle=1", "wafv2:throttle=1") as box:
            screen, pane = self.open_storefront(box, "2")
            self.assertRegex(pane, r"storefront +alb +shop\.example\.com\S* "
                             r"+active +3/3 ")
            text = screen.wait_for("Certificate not readable",
                                   "Web ACL not readable", "3/3 healthy")
            self.assertIn("(ACM DescribeCertificate, gave up after 2 "
                          "attempts)", text)
            self.assertNotIn("Web ACL not attached", text)
            screen.keys("q")
            self.assertEqual(screen.wait_exit(), 0)


class SandboxFlags(unittest.TestCase):
    def test_invalid_fault_spec_rejected(self):
        cases = {
            "iam": "no service: write SERVICE:KEY=VALUE",
            "s3:throttle=1": "unknown service 's3'",
            "iam:throttle=2": "throttle is '2'; use a fraction from 0 to 1",
            "iam:slow=1": "unknown fault 'slow'",
            "iam:latency": "'latency' has no '='",
        }
        for spec, message in cases.items():
            with self.subTest(spec=spec):
                box = faulted(spec)
                with self.assertRaises(RuntimeError) as caught:
                    box.start()
                box.stop()
                self.assertIn("exited with 2", str(caught.exception))
                self.assertIn(message, str(caught.exception))


if __name__ == "__main__":
    unittest.main()
