"""The cluster's IAM OIDC provider against the sandbox.

albatross associate oidc-provider reads the issuer's TLS chain and gives
IAM the SHA-1 of its last certificate. The oracle is OpenSSL's own
command line: openssl s_client -showcerts lists the chain the sandbox
sends, and openssl x509 -fingerprint -sha1 hashes its last certificate.
What IAM stored is read back with the aws CLI, the cluster's tags with
aws eks, and namespace writes with kubectl.
"""

import json
import os
import re
import ssl
import subprocess
import unittest
import urllib.request

from sandbox import Sandbox, WORLDS

DEMO = os.path.join(WORLDS, "demo.yaml")
CLUSTER = "legacy-batch"          # oidc: true, oidcProvider: false
REGION = "us-west-2"
OWNER_TAGS = {"alpha.eksctl.io/cluster-name": CLUSTER,
              "eksctl.cluster.k8s.io/v1alpha1/cluster-name": CLUSTER}


def last_cert_sha1(port):
    """The SHA-1 of the last certificate the server on port sends, as
    OpenSSL's command line computes it: 40 lower-case hex digits."""
    shown = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                            "-showcerts"], input="", capture_output=True, text=True,
                           timeout=30).stdout
    certs = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----",
                       shown, re.S)
    assert len(certs) >= 2, shown
    out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha1"],
                         input=certs[-1], capture_output=True, text=True,
                         check=True).stdout
    return out.strip().split("=", 1)[1].replace(":", "").lower()


class AssociateTest(unittest.TestCase):
    def setUp(self):
        self.sb = Sandbox(DEMO).start()
        self.addCleanup(self.sb.stop)

    def aws(self, *args, region=REGION):
        return json.loads(self.sb.aws("--region", region, *args).stdout or "{}")

    def fails(self, *args):
        res = self.sb.aws("--region", REGION, *args, check=False)
        self.assertNotEqual(res.returncode, 0, res.stdout)
        return res.stderr

    def associate(self, *extra, check=True):
        return self.sb.albatross("associate", "oidc-provider", "--cluster", CLUSTER,
                                 "--region", REGION, *extra, check=check)

    def issuer(self):
        return self.aws("eks", "describe-cluster", "--name", CLUSTER)["cluster"]["identity"]["oidc"]["issuer"]

    def provider_arns(self):
        return [p["Arn"] for p in self.aws("iam", "list-open-id-connect-providers")
                ["OpenIDConnectProviderList"]]

    def cluster_tags(self):
        return self.aws("eks", "describe-cluster", "--name", CLUSTER)["cluster"].get("tags", {})

    def port(self):
        return int(self.sb.env["AWS_ENDPOINT_URL"].rsplit(":", 1)[1])

    def test_issuer_serves_discovery_and_keys(self):
        issuer = self.issuer()
        self.assertTrue(issuer.startswith(self.sb.env["AWS_ENDPOINT_URL"] + "/id/"), issuer)
        ctx = ssl.create_default_context(cafile=self.sb.env["AWS_CA_BUNDLE"])
        with urllib.request.urlopen(issuer + "/.well-known/openid-configuration",
                                    context=ctx) as r:
            doc = json.load(r)
        self.assertEqual(doc["issuer"], issuer)
        self.assertEqual(doc["jwks_uri"], issuer + "/keys")
        with urllib.request.urlopen(doc["jwks_uri"], context=ctx) as r:
            keys = json.load(r)["keys"]
        self.assertEqual([(k["kty"], k["crv"], k["alg"]) for k in keys],
                         [("EC", "P-256", "ES256")])

    def test_associate_stores_last_certificate_thumbprint(self):
        before = self.provider_arns()
        res = self.associate()
        host = self.issuer()[len("https://"):]
        arn = "arn:aws:iam::111122223333:oidc-provider/" + host
        self.assertIn("created IAM OIDC provider %s" % arn, res.stdout)
        self.assertEqual(sorted(self.provider_arns()), sorted(before + [arn]))
        provider = self.aws("iam", "get-open-id-connect-provider",
                            "--open-id-connect-provider-arn", arn)
        expected = last_cert_sha1(self.port())
        self.assertEqual(provider["ThumbprintList"], [expected])
        self.assertEqual(provider["ClientIDList"], ["sts.amazonaws.com"])
        # The chain's last certificate is the sandbox's CA, not its leaf.
        ca = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha1",
                             "-in", self.sb.env["AWS_CA_BUNDLE"]], capture_output=True,
                            text=True, check=True).stdout
        self.assertEqual(ca.strip().split("=", 1)[1].replace(":", "").lower(), expected)
        tags = {t["Key"]: t["Value"] for t in self.aws(
            "iam", "list-open-id-connect-provider-tags",
            "--open-id-connect-provider-arn", arn)["Tags"]}
        for key, value in OWNER_TAGS.items():
            self.assertEqual(tags[key], value)
        self.assertIn("albatross.io/version", tags)
        self.assertEqual(self.cluster_tags().get("alpha.eksctl.io/cluster-oidc-enabled"), "true")

        again = self.associate()
        self.assertIn("is already associated", again.stdout)
        self.assertEqual(sorted(self.provider_arns()), sorted(before + [arn]))

    def test_dry_run_changes_nothing(self):
        before = self.provider_arns()
        res = self.associate("--dry-run")
        self.assertIn("IAM CreateOpenIDConnectProvider", res.stdout)
        self.assertIn("ThumbprintList.member.1: %s" % last_cert_sha1(self.port()), res.stdout)
        self.assertIn("alpha.eksctl.io/cluster-name=%s" % CLUSTER, res.stdout)
        self.assertEqual(self.provider_arns(), before)
        self.assertNotIn("alpha.eksctl.io/cluster-oidc-enabled", self.cluster_tags())

    def test_readonly_refuses(self):
        before = self.provider_arns()
        res = self.associate("--readonly", check=False)
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertIn("ReadOnly", res.stderr)
        self.assertEqual(self.provider_arns(), before)

    def test_unknown_cluster(self):
        res = self.sb.albatross("associate", "oidc-provider", "--cluster", "nope",
                                "--region", REGION, check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("ResourceNotFoundException", res.stderr)
        res = self.sb.albatross("associate", "oidc-provider", check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("needs --cluster NAME", res.stderr)

    def test_provider_tag_calls(self):
        self.associate()
        arn = "arn:aws:iam::111122223333:oidc-provider/" + self.issuer()[len("https://"):]
        self.sb.aws("iam", "tag-open-id-connect-provider", "--open-id-connect-provider-arn",
                    arn, "--tags", "Key=team,Value=payments")
        self.sb.aws("iam", "untag-open-id-connect-provider", "--open-id-connect-provider-arn",
                    arn, "--tag-keys", "alpha.eksctl.io/cluster-name", "absent-key")
        tags = {t["Key"]: t["Value"] for t in self.aws(
            "iam", "list-open-id-connect-provider-tags",
            "--open-id-connect-provider-arn", arn)["Tags"]}
        self.assertEqual(tags.get("team"), "payments")
        self.assertNotIn("alpha.eksctl.io/cluster-name", tags)
        missing = arn + "0"
        self.assertIn("NoSuchEntity", self.fails(
            "iam", "list-open-id-connect-provider-tags", "--open-id-connect-provider-arn", missing))
        self.assertIn("NoSuchEntity", self.fails(
            "iam", "untag-open-id-connect-provider", "--open-id-connect-provider-arn", missing,
            "--tag-keys", "team"))


class NamespaceWriteTest(unittest.TestCase):
    def setUp(self):
        self.sb = Sandbox(DEMO).start()
        self.addCleanup(self.sb.stop)
        self.kubeconfig = os.path.join(self.sb.dir.name, "kc")
        self.sb.aws("--region", REGION, "eks", "update-kubeconfig", "--name", CLUSTER,
                    "--kubeconfig", self.kubeconfig)

    def kubectl(self, *args, check=True):
        return self.sb.kubectl("--kubeconfig", self.kubeconfig, *args, check=check)

    def names(self):
        out = json.loads(self.kubectl("get", "namespaces", "-o", "json").stdout)
        return [n["metadata"]["name"] for n in out["items"]]

    def test_create_and_delete(self):
        self.assertNotIn("team-a", self.names())
        self.kubectl("create", "namespace", "team-a")
        self.assertIn("team-a", self.names())
        again = self.kubectl("create", "namespace", "team-a", check=False)
        self.assertIn("AlreadyExists", again.stderr)
        self.kubectl("create", "serviceaccount", "bot", "-n", "team-a")
        self.kubectl("delete", "namespace", "team-a")
        self.assertNotIn("team-a", self.names())
        gone = self.kubectl("delete", "namespace", "team-a", check=False)
        self.assertIn("NotFound", gone.stderr)

    def test_default_namespaces_are_kept(self):
        for name in ("default", "kube-system", "kube-public"):
            res = self.kubectl("delete", "namespace", name, check=False)
            self.assertIn('namespaces "%s" is forbidden: this namespace may not be deleted'
                          % name, res.stderr)
        self.assertIn("default", self.names())


if __name__ == "__main__":
    unittest.main()
