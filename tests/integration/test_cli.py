"""albatross get against the sandbox, with the aws CLI and kubectl as
oracles: each kind lists the same objects they list, in every format."""

import json
import os
import re
import subprocess
import unittest

import yaml

import sandbox
from sandbox import Sandbox

ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"


def setUpModule():
    global SB
    SB = Sandbox().start()


def tearDownModule():
    SB.stop()


def get(kind, *args, **env):
    res = SB.albatross("get", kind, "-o", "json", *args, **env)
    return json.loads(res.stdout)["items"]


class GetMatchesOracles(unittest.TestCase):
    def test_clusters_match_aws_cli(self):
        regions = json.loads(SB.aws("ec2", "describe-regions").stdout)["Regions"]
        expected = {}
        for region in (r["RegionName"] for r in regions):
            res = SB.aws("--region", region, "eks", "list-clusters")
            for name in json.loads(res.stdout)["clusters"]:
                desc = json.loads(SB.aws("--region", region, "eks", "describe-cluster",
                                         "--name", name).stdout)["cluster"]
                expected[name] = (region, desc["status"], desc["version"],
                                  desc.get("identity", {}).get("oidc", {}).get("issuer"))
        self.assertGreaterEqual(len(expected), 2)
        got = {c["name"]: (c["region"], c["status"], c["version"], c["oidcIssuer"])
               for c in get("clusters")}
        self.assertEqual(got, expected)

    def test_region_flag_lists_one_region(self):
        items = get("clusters", "--region", "eu-west-1")
        self.assertTrue(items)
        self.assertEqual({c["region"] for c in items}, {"eu-west-1"})

    def test_service_accounts_match_kubectl(self):
        kube = json.loads(SB.kubectl("get", "sa", "-A", "-o", "json").stdout)["items"]
        expected = {(o["metadata"]["namespace"], o["metadata"]["name"]):
                    o["metadata"].get("annotations", {}).get(ROLE_ANNOTATION) for o in kube}
        items = get("serviceaccounts")
        got = {(s["namespace"], s["name"]): s["roleArn"] for s in items}
        self.assertEqual(got, expected)
        self.assertEqual(len(items), len(got), "an object was listed twice")
        context = SB.kubectl("config", "current-context").stdout.strip()
        self.assertIn(items[0]["cluster"], context)

    def test_ingresses_match_kubectl(self):
        kube = json.loads(SB.kubectl("get", "ingress", "-A", "-o", "json").stdout)["items"]
        expected = {}
        for o in kube:
            hosts = [r["host"] for r in o["spec"].get("rules", []) if r.get("host")]
            lb = o.get("status", {}).get("loadBalancer", {}).get("ingress") or [{}]
            expected[(o["metadata"]["namespace"], o["metadata"]["name"])] = (
                ",".join(hosts) or None, lb[0].get("hostname"))
        got = {(i["namespace"], i["name"]): (i["hosts"], i["address"]) for i in get("ingresses")}
        self.assertEqual(got, expected)

    def test_roles_match_aws_cli(self):
        roles = json.loads(SB.aws("iam", "list-roles").stdout)["Roles"]
        self.assertGreater(len(roles), 100, "the demo world must need more than one page")
        items = get("roles")
        self.assertEqual({r["name"]: r["arn"] for r in items},
                         {r["RoleName"]: r["Arn"] for r in roles})

    def test_roles_count_service_accounts(self):
        kube = json.loads(SB.kubectl("get", "sa", "-A", "-o", "json").stdout)["items"]
        uses = {}
        for o in kube:
            arn = o["metadata"].get("annotations", {}).get(ROLE_ANNOTATION)
            if arn:
                uses[arn] = uses.get(arn, 0) + 1
        for role in get("roles"):
            self.assertEqual(role["serviceAccounts"], uses.get(role["arn"], 0), role["name"])
        self.assertTrue(any(uses.values()))

    def test_namespace_flag(self):
        items = get("sa", "-n", "batch")
        self.assertTrue(items)
        self.assertEqual({s["namespace"] for s in items}, {"batch"})

    def test_cluster_flag_without_kubeconfig(self):
        # Built from DescribeCluster alone: endpoint, CA and a native token.
        items = get("sa", "--cluster", "staging", KUBECONFIG="/dev/null")
        self.assertTrue(items)
        self.assertEqual({s["cluster"] for s in items}, {"staging"})


class Formats(unittest.TestCase):
    def test_yaml_equals_json(self):
        for kind in ("clusters", "sa", "roles", "ing"):
            as_json = get(kind)
            as_yaml = yaml.safe_load(SB.albatross("get", kind, "-o", "yaml").stdout)["items"]
            self.assertEqual(as_yaml, as_json, kind)

    def test_table_lists_every_name(self):
        out = SB.albatross("get", "sa").stdout.splitlines()
        self.assertEqual(out[0].split()[:2], ["NAMESPACE", "NAME"])
        for sa in get("sa"):
            self.assertTrue(any(sa["name"] in line and sa["namespace"] in line for line in out[1:]),
                            sa["name"])


class BadInput(unittest.TestCase):
    def write(self, name, text):
        path = os.path.join(SB.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_broken_kubeconfig_names_file_and_line(self):
        path = self.write("broken-kubeconfig", "apiVersion: v1\nclusters:\n  - name: a\n    cluster: [\n")
        res = SB.albatross("get", "sa", check=False, KUBECONFIG=path)
        self.assertEqual(res.returncode, 2)
        self.assertIn(path + ":", res.stderr)
        self.assertEqual(len(res.stderr.strip().splitlines()), 1, res.stderr)

    def test_broken_aws_config_names_file_and_line(self):
        path = self.write("broken-aws-config", "[default]\nregion = us-east-2\nthis line has no equals sign\n")
        res = SB.albatross("get", "clusters", check=False, AWS_CONFIG_FILE=path)
        self.assertEqual(res.returncode, 2)
        self.assertIn(path + ":3", res.stderr)

    def test_unknown_kind(self):
        res = SB.albatross("get", "pods", check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn('"pods"', res.stderr)

    def test_options_before_install_named(self):
        res = SB.albatross("--readonly", "install", "controller", "--cluster",
                           "legacy-batch", check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn('"install" takes its options after the command', res.stderr)
        res = SB.albatross("frob", check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn('unknown command "frob"', res.stderr)

    def test_bad_output_format(self):
        res = SB.albatross("get", "sa", "-o", "xml", check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn('"xml"', res.stderr)

    def test_unknown_cluster(self):
        res = SB.albatross("get", "sa", "--cluster", "no-such-cluster", check=False,
                           KUBECONFIG="/dev/null")
        self.assertEqual(res.returncode, 1)
        self.assertIn('"no-such-cluster"', res.stderr)

    def test_wrong_secret_shows_aws_error(self):
        res = SB.albatross("get", "roles", check=False, AWS_SECRET_ACCESS_KEY="wrong")
        self.assertEqual(res.returncode, 1)
        self.assertIn("SignatureDoesNotMatch", res.stderr)

    def test_missing_current_context(self):
        with open(SB.env["KUBECONFIG"]) as f:
            text = f.read()
        path = self.write("stale-current-context",
                          re.sub(r"current-context: .*", "current-context: gone", text))
        res = SB.albatross("get", "sa", check=False, KUBECONFIG=path)
        self.assertEqual(res.returncode, 1)
        self.assertIn('current-context "gone" was not found', res.stderr)

    def test_write_failure_exits_1(self):
        with open("/dev/full", "w") as full:
            res = subprocess.run([sandbox.ALBATROSS, "get", "roles"], stdout=full,
                                 stderr=subprocess.PIPE, text=True, env=SB.client_env())
        self.assertEqual(res.returncode, 1)
        self.assertIn("writing the output failed", res.stderr)

    def test_help_and_version(self):
        self.assertIn("usage:", SB.albatross("--help").stdout)
        self.assertRegex(SB.albatross("--version").stdout, r"^albatross \d+\.\d+")


class PartialFailure(unittest.TestCase):
    def test_failed_regions_exit_1_and_keep_the_rest(self):
        # Every EKS call is throttled; the kubeconfig's contexts remain.
        with Sandbox(args=["--fault", "eks:throttle=1.0", "--seed", "1"]) as sb:
            res = sb.albatross("get", "clusters", "-o", "json", check=False,
                               AWS_MAX_ATTEMPTS="1")
        self.assertEqual(res.returncode, 1)
        self.assertIn("ThrottlingException", res.stderr)
        names = {c["name"] for c in json.loads(res.stdout)["items"]}
        self.assertIn("alb-demo-cluster", names)


if __name__ == "__main__":
    unittest.main()
