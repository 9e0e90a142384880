"""api/kube.c and api/kubeconfig.c against the sandbox's Kubernetes API.

build/tools/kube_tool lists service accounts or ingresses of the demo
world, through the kubeconfig the sandbox writes (whose `aws eks get-token`
plugin albatross turns into a native EKS token) or through DescribeCluster
data. kubectl, running the real aws CLI as its exec plugin, is the oracle.
"""

import json
import math
import os
import shutil
import stat
import socket
import subprocess
import tempfile
import unittest

from sandbox import ROOT, Sandbox

BUILD = os.path.join(ROOT, os.environ.get("ALBATROSS_BUILD", "build"))
KUBE_TOOL = os.path.join(BUILD, "tools", "kube_tool")
CLUSTER = "alb-demo-cluster"
REGION = "us-east-2"


def write_executable(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, stat.S_IRWXU)


class KubeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(KUBE_TOOL, os.X_OK):
            raise unittest.SkipTest("%s is not built; run make unit" % KUBE_TOOL)
        cls.sandbox = Sandbox().start()
        cls.env = cls.sandbox.client_env()
        cls.kubeconfig = cls.sandbox.env["KUBECONFIG"]
        cls.cluster = json.loads(cls.sandbox.aws(
            "eks", "describe-cluster", "--name", CLUSTER,
            "--region", REGION).stdout)["cluster"]
        cls.context = cls.cluster["arn"]

    @classmethod
    def tearDownClass(cls):
        cls.sandbox.stop()

    def kube_tool(self, *args, env=None):
        res = subprocess.run([KUBE_TOOL] + list(args), env=env or self.env,
                             capture_output=True, text=True, timeout=60)
        self.assertIn(res.returncode, (0, 1), res.stderr)
        out = json.loads(res.stdout)
        return res.returncode, out

    def list_ok(self, *args, env=None):
        rc, out = self.kube_tool(*args, env=env)
        self.assertEqual(rc, 0, out)
        return out

    def kubectl_items(self, resource, namespace=None):
        scope = ["-n", namespace] if namespace else ["-A"]
        res = self.sandbox.kubectl("--kubeconfig", self.kubeconfig,
                                   "--context", self.context, "get",
                                   resource, "-o", "json", *scope)
        return json.loads(res.stdout)["items"]

    @staticmethod
    def sa_keys(items):
        return sorted((i["namespace"], i["name"], i["roleArn"]) for i in items)

    @staticmethod
    def kubectl_sa_keys(items):
        return sorted((i["metadata"]["namespace"], i["metadata"]["name"],
                       i["metadata"].get("annotations", {}).get(
                           "eks.amazonaws.com/role-arn"))
                      for i in items)

    def test_service_accounts_match_kubectl(self):
        out = self.list_ok("--kubeconfig", self.kubeconfig, "--context",
                           self.context, "serviceaccounts")
        want = self.kubectl_sa_keys(self.kubectl_items("serviceaccounts"))
        self.assertEqual(self.sa_keys(out["items"]), want)
        self.assertIn(("batch", "report-worker-4",
                       "arn:aws:iam::111122223333:role/batch-reports"), want)
        self.assertEqual(out["pages"], 1)

    def test_service_accounts_every_page(self):
        whole = self.list_ok("--kubeconfig", self.kubeconfig, "--context",
                             self.context, "serviceaccounts")
        paged = self.list_ok("--kubeconfig", self.kubeconfig, "--context",
                             self.context, "--limit", "3", "serviceaccounts")
        n = len(whole["items"])
        self.assertGreater(n, 6)
        self.assertEqual(self.sa_keys(paged["items"]),
                         self.sa_keys(whole["items"]))
        self.assertEqual(len(paged["items"]), n)  # no page read twice
        self.assertGreaterEqual(paged["pages"], math.ceil(n / 3))
        self.assertLessEqual(paged["pages"], math.ceil(n / 3) + 1)

    def test_ingresses_match_kubectl_and_world(self):
        out = self.list_ok("--kubeconfig", self.kubeconfig, "--context",
                           self.context, "--limit", "1", "ingresses")
        got = {(i["namespace"], i["name"]): i for i in out["items"]}
        want = self.kubectl_items("ingresses")
        self.assertEqual(sorted(got), sorted((i["metadata"]["namespace"],
                                              i["metadata"]["name"])
                                             for i in want))
        # One item a page; the server may end with an empty page.
        self.assertGreaterEqual(out["pages"], len(want))
        self.assertLessEqual(out["pages"], len(want) + 1)
        storefront = got[("shop", "storefront")]
        self.assertEqual(storefront["className"], "alb")
        self.assertEqual(storefront["hosts"],
                         "shop.example.com,www.shop.example.com")
        self.assertEqual(storefront["address"],
                         "k8s-shop-3f8a1c2d9e-1234567890.us-east-2.elb."
                         "amazonaws.com")
        self.assertEqual(storefront["groupName"], "shop")
        self.assertEqual(storefront["annotations"][
            "alb.ingress.kubernetes.io/target-type"], "ip")
        api = got[("shop", "shop-api")]
        self.assertEqual(api["className"], "alb")  # from the annotation
        self.assertEqual(api["hosts"], "api.shop.example.com")
        checkout = got[("payments", "checkout")]
        self.assertIsNone(checkout["address"])
        self.assertIsNone(checkout["groupName"])
        self.assertEqual(got[("monitoring", "grafana")]["className"], "nginx")

    def test_one_namespace(self):
        out = self.list_ok("--kubeconfig", self.kubeconfig, "--context",
                           self.context, "--namespace", "batch", "--limit",
                           "2", "serviceaccounts")
        want = self.kubectl_sa_keys(self.kubectl_items("serviceaccounts",
                                                       "batch"))
        self.assertEqual(self.sa_keys(out["items"]), want)
        self.assertTrue(all(i["namespace"] == "batch" for i in out["items"]))

    def test_eks_cluster_from_describe_cluster(self):
        out = self.list_ok("--eks", CLUSTER, "--region", REGION,
                           "--endpoint", self.cluster["endpoint"],
                           "--ca-data",
                           self.cluster["certificateAuthority"]["data"],
                           "--limit", "4", "serviceaccounts")
        want = self.kubectl_sa_keys(self.kubectl_items("serviceaccounts"))
        self.assertEqual(self.sa_keys(out["items"]), want)
        self.assertIn("/k8s/", self.cluster["endpoint"])

    def test_native_token_runs_no_aws_cli(self):
        # An aws on PATH that fails: the kubeconfig's aws eks get-token
        # plugin must be replaced by a token made in-process.
        with tempfile.TemporaryDirectory() as bindir:
            write_executable(os.path.join(bindir, "aws"),
                             "#!/bin/sh\necho 'fake aws ran' >&2\nexit 9\n")
            env = dict(self.env, PATH=bindir + os.pathsep +
                       self.env.get("PATH", ""))
            out = self.list_ok("--kubeconfig", self.kubeconfig, "--context",
                               self.context, "ingresses", env=env)
        self.assertEqual(len(out["items"]), len(self.kubectl_items("ingresses")))

    @unittest.skipUnless(shutil.which("aws"), "the aws CLI is not installed")
    def test_exec_plugin_through_aws_cli(self):
        # A wrapper albatross does not recognise, so the real aws CLI runs
        # as an exec plugin and its token reaches the sandbox.
        with tempfile.TemporaryDirectory() as tmp:
            plugin = os.path.join(tmp, "get-token.sh")
            write_executable(plugin, "#!/bin/sh\nexec aws --region %s eks "
                             "get-token --cluster-name %s --output json\n"
                             % (REGION, CLUSTER))
            config = os.path.join(tmp, "config")
            with open(config, "w") as f:
                f.write(
                    "clusters:\n- name: c\n  cluster:\n"
                    "    server: %s\n    certificate-authority-data: %s\n"
                    "users:\n- name: u\n  user:\n    exec:\n"
                    "      apiVersion: client.authentication.k8s.io/v1beta1\n"
                    "      command: ./get-token.sh\n"
                    "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
                    "current-context: x\n"
                    % (self.cluster["endpoint"],
                       self.cluster["certificateAuthority"]["data"]))
            # ./get-token.sh is relative to the kubeconfig's folder, not to
            # the working directory, as in kubectl.
            res = subprocess.run([KUBE_TOOL, "--kubeconfig", config,
                                  "ingresses"], env=self.env,
                                 capture_output=True, text=True, timeout=120,
                                 cwd=ROOT)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(len(json.loads(res.stdout)["items"]),
                         len(self.kubectl_items("ingresses")))

    def test_bad_token_is_401(self):
        rc, out = self.kube_tool("--kubeconfig", self.kubeconfig, "--context",
                                 self.context, "--token", "k8s-aws-v1.bogus",
                                 "serviceaccounts")
        self.assertEqual(rc, 1)
        err = out["error"]
        self.assertEqual(err["status"], 401)
        self.assertEqual(err["code"], "Unauthorized")
        self.assertIn("rejected the bearer token", err["message"])
        self.assertIn(self.cluster["endpoint"], err["message"])
        self.assertIn("Unauthorized", err["message"])

    def test_bad_secret_names_credentials(self):
        # The sandbox rejects an EKS token signed with the wrong secret;
        # the message names where the token came from and what to check.
        env = dict(self.env, AWS_SECRET_ACCESS_KEY="wrong" * 8)
        rc, out = self.kube_tool(
            "--eks", CLUSTER, "--region", REGION,
            "--endpoint", self.cluster["endpoint"],
            "--ca-data", self.cluster["certificateAuthority"]["data"],
            "serviceaccounts", env=env)
        self.assertEqual(rc, 1)
        message = out["error"]["message"]
        self.assertEqual(out["error"]["status"], 401)
        self.assertIn("rejected the bearer token made from the AWS "
                      "credentials of profile", message)
        self.assertIn("source: environment", message)
        self.assertIn("the clock", message)
        self.assertIn("access entry or aws-auth mapping", message)
        self.assertNotIn("anonymous", message)

    def test_no_token_over_plain_http(self):
        # A listener that records whether anything arrives.
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            listener.settimeout(0.5)
            server = "http://127.0.0.1:%d" % listener.getsockname()[1]
            rc, out = self.kube_tool("--eks", CLUSTER, "--region", REGION,
                                     "--endpoint", server, "ingresses")
            with self.assertRaises(socket.timeout):
                listener.accept()
        self.assertEqual(rc, 1)
        self.assertIn("server URL %s" % server, out["error"]["message"])
        self.assertIn("albatross sends credentials only over https",
                      out["error"]["message"])

    def test_unreachable_server_is_named(self):
        # Port 9 on loopback: nothing listens there.
        server = "https://127.0.0.1:9/k8s/%s/%s" % (REGION, CLUSTER)
        rc, out = self.kube_tool("--eks", CLUSTER, "--region", REGION,
                                 "--endpoint", server, "ingresses")
        self.assertEqual(rc, 1)
        self.assertEqual(out["error"]["status"], 0)
        self.assertIn(server, out["error"]["message"])
        self.assertIn("cannot reach", out["error"]["message"])


if __name__ == "__main__":
    unittest.main()
