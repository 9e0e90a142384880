"""albatross install controller --dry-run against the sandbox, with
independent oracles: the aws CLI for the cluster's region and VPC, the
openssl command and Python's ssl module for the webhook certificates,
and kubectl for the manifests."""

import base64
import http.server
import json
import os
import socket
import ssl
import subprocess
import tempfile
import threading
import unittest

import yaml

from sandbox import Sandbox

CLUSTER = "alb-demo-cluster"
REGION = "us-east-2"
NS = "kube-system"
SERVICE = "aws-load-balancer-webhook-service"
SERVICE_NAMES = ["%s.%s" % (SERVICE, NS), "%s.%s.svc" % (SERVICE, NS),
                 "%s.%s.svc.cluster.local" % (SERVICE, NS)]

EXPECTED = [
    ("CustomResourceDefinition", "targetgroupbindings.elbv2.k8s.aws", None),
    ("CustomResourceDefinition", "ingressclassparams.elbv2.k8s.aws", None),
    ("ServiceAccount", "aws-load-balancer-controller", NS),
    ("Role", "aws-load-balancer-controller-leader-election-role", NS),
    ("RoleBinding", "aws-load-balancer-controller-leader-election-rolebinding", NS),
    ("ClusterRole", "aws-load-balancer-controller-role", None),
    ("ClusterRoleBinding", "aws-load-balancer-controller-rolebinding", None),
    ("Secret", "aws-load-balancer-tls", NS),
    ("Service", SERVICE, NS),
    ("Deployment", "aws-load-balancer-controller", NS),
    ("IngressClassParams", "alb", None),
    ("IngressClass", "alb", None),
    ("MutatingWebhookConfiguration", "aws-load-balancer-webhook", None),
    ("ValidatingWebhookConfiguration", "aws-load-balancer-webhook", None),
]


def setUpModule():
    global SB, CLUSTER_DESC, PLAN, TMP
    SB = Sandbox().start()
    TMP = tempfile.TemporaryDirectory(prefix="albatross-lbc-")
    CLUSTER_DESC = json.loads(SB.aws("--region", REGION, "eks", "describe-cluster",
                                     "--name", CLUSTER).stdout)["cluster"]
    # No --region or --vpc-id: both come from the cluster.
    res = SB.albatross("install", "controller", "--cluster", CLUSTER,
                       "--dry-run", "-o", "json", AWS_REGION=REGION)
    PLAN = json.loads(res.stdout)


def tearDownModule():
    SB.stop()
    TMP.cleanup()


def by_kind(kind):
    return [o for o in PLAN["objects"] if o["kind"] == kind]


def secret_file(key):
    """Writes the TLS Secret's key (base64-decoded) to a file; returns its path."""
    data = by_kind("Secret")[0]["data"][key]
    path = os.path.join(TMP.name, key)
    with open(path, "wb") as f:
        f.write(base64.b64decode(data))
    return path


def openssl(*args):
    res = subprocess.run(["openssl"] + list(args), capture_output=True, text=True,
                         timeout=30)
    if res.returncode != 0:
        raise AssertionError("openssl %s: %s" % (" ".join(args), res.stderr))
    return res.stdout


class Objects(unittest.TestCase):
    def test_names_and_namespaces(self):
        got = [(o["kind"], o["metadata"]["name"], o["metadata"].get("namespace"))
               for o in PLAN["objects"]]
        self.assertEqual(got, EXPECTED)

    def test_deployment_args_from_cluster(self):
        vpc = CLUSTER_DESC["resourcesVpcConfig"]["vpcId"]
        self.assertTrue(vpc.startswith("vpc-"))
        container = by_kind("Deployment")[0]["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container["args"], [
            "--cluster-name=" + CLUSTER, "--ingress-class=alb",
            "--aws-region=" + REGION, "--aws-vpc-id=" + vpc])
        self.assertEqual(PLAN["region"], REGION)
        self.assertEqual(PLAN["vpcId"], vpc)

    def test_service_account_trust_matches_cluster(self):
        steps = PLAN["iamSteps"]
        self.assertEqual([s["operation"] for s in steps],
                         ["CreatePolicy", "CreateOpenIDConnectProvider", "CreateStack"])
        self.assertEqual(steps[0]["policyName"], "AWSLoadBalancerControllerIAMPolicy")
        self.assertEqual(steps[0]["documentBytes"],
                         os.path.getsize(steps[0]["document"]))
        self.assertIn("v2.0 and v2.1", steps[0]["warning"])
        issuer = CLUSTER_DESC["identity"]["oidc"]["issuer"]
        host = issuer[len("https://"):]
        statement = steps[2]["trustPolicy"]["Statement"][0]
        self.assertTrue(statement["Principal"]["Federated"].endswith(
            ":oidc-provider/" + host))
        self.assertEqual(statement["Condition"]["StringEquals"][host + ":sub"],
                         "system:serviceaccount:%s:aws-load-balancer-controller" % NS)


class WebhookCertificates(unittest.TestCase):
    def test_ca_bundle_is_secret_ca(self):
        ca = by_kind("Secret")[0]["data"]["ca.crt"]
        hooks = [h for kind in ("MutatingWebhookConfiguration",
                                "ValidatingWebhookConfiguration")
                 for h in by_kind(kind)[0]["webhooks"]]
        self.assertEqual(len(hooks), 4)
        for hook in hooks:
            self.assertEqual(hook["clientConfig"]["caBundle"], ca, hook["name"])
            self.assertEqual(hook["clientConfig"]["service"],
                             {"name": SERVICE, "namespace": NS,
                              "path": hook["clientConfig"]["service"]["path"]})

    def test_serving_cert_verifies_with_sans(self):
        ca, cert = secret_file("ca.crt"), secret_file("tls.crt")
        self.assertIn(": OK", openssl("verify", "-CAfile", ca, cert))
        text = openssl("x509", "-in", cert, "-noout", "-ext", "subjectAltName")
        sans = text.splitlines()[1].strip().split(", ")
        self.assertEqual(sans, ["DNS:" + name for name in SERVICE_NAMES])
        self.assertIn("CN=aws-load-balancer-controller-ca",
                      openssl("x509", "-in", ca, "-noout", "-subject",
                              "-nameopt", "sep_multiline,utf8").replace(" ", ""))

    def test_key_matches_cert(self):
        key, cert = secret_file("tls.key"), secret_file("tls.crt")
        self.assertEqual(openssl("pkey", "-in", key, "-pubout"),
                         openssl("x509", "-in", cert, "-noout", "-pubkey"))

    def test_tls_handshake_as_api_server(self):
        """A TLS server with the Secret's certificate, reached the way the
        API server reaches a webhook: trusting only caBundle and checking
        the Service's DNS name."""
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(secret_file("tls.crt"), secret_file("tls.key"))
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]

        def serve():
            conn, _ = listener.accept()
            try:
                with server_ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.sendall(b"ok")
            except (ssl.SSLError, OSError):
                pass

        thread = threading.Thread(target=serve)
        thread.start()
        client_ctx = ssl.create_default_context(cafile=secret_file("ca.crt"))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with client_ctx.wrap_socket(raw, server_hostname=SERVICE_NAMES[1]) as tls:
                    self.assertEqual(tls.recv(2), b"ok")
        finally:
            thread.join(10)
            listener.close()


# What a Kubernetes 1.29 API server lists in discovery for the kinds the
# controller's manifest uses: (group/version, plural, kind, namespaced).
SERVED = [
    ("v1", "serviceaccounts", "ServiceAccount", True),
    ("v1", "secrets", "Secret", True),
    ("v1", "services", "Service", True),
    ("apps/v1", "deployments", "Deployment", True),
    ("rbac.authorization.k8s.io/v1", "roles", "Role", True),
    ("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", True),
    ("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", False),
    ("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", False),
    ("admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations",
     "MutatingWebhookConfiguration", False),
    ("admissionregistration.k8s.io/v1", "validatingwebhookconfigurations",
     "ValidatingWebhookConfiguration", False),
    ("apiextensions.k8s.io/v1", "customresourcedefinitions",
     "CustomResourceDefinition", False),
    ("networking.k8s.io/v1", "ingressclasses", "IngressClass", False),
    ("elbv2.k8s.aws/v1beta1", "ingressclassparams", "IngressClassParams", False),
]


class Discovery(http.server.BaseHTTPRequestHandler):
    """Serves discovery for SERVED and 404 for every object, so that
    kubectl apply --dry-run=client can map each kind and finds nothing
    applied yet. kubectl itself decodes and checks the manifest."""

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        versions = sorted({gv for gv, _, _, _ in SERVED if "/" in gv})
        if path == "/api":
            return self.reply(200, {"kind": "APIVersions", "versions": ["v1"]})
        if path == "/apis":
            groups = [{"name": gv.split("/")[0],
                       "versions": [{"groupVersion": gv, "version": gv.split("/")[1]}],
                       "preferredVersion": {"groupVersion": gv,
                                            "version": gv.split("/")[1]}}
                      for gv in versions]
            return self.reply(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                    "groups": groups})
        for gv in ["v1"] + versions:
            if path == ("/api/v1" if gv == "v1" else "/apis/" + gv):
                resources = [{"name": plural, "singularName": "", "kind": kind,
                              "namespaced": namespaced,
                              "verbs": ["create", "get", "list", "patch", "update"]}
                             for g, plural, kind, namespaced in SERVED if g == gv]
                return self.reply(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                        "groupVersion": gv, "resources": resources})
        self.reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                         "reason": "NotFound", "code": 404, "message": "not found"})


class Kubectl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        res = SB.albatross("install", "controller", "--cluster", CLUSTER,
                           "--region", REGION, "--dry-run")
        cls.yaml_path = os.path.join(TMP.name, "lbc.yaml")
        with open(cls.yaml_path, "w") as f:
            f.write(res.stdout)

    def kubectl(self, *args, server=None):
        env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
        env["KUBECONFIG"] = os.devnull
        env["HOME"] = TMP.name
        cmd = ["kubectl", "--cache-dir", os.path.join(TMP.name, "cache")]
        if server:
            cmd += ["--server", server]
        return subprocess.run(cmd + list(args), env=env, capture_output=True,
                              text=True, timeout=60)

    def test_yaml_matches_json(self):
        """PyYAML (YAML 1.1) reads the YAML back as the JSON plan's objects:
        the same strings, numbers and booleans. Only the certificates, made
        afresh on each run, differ."""
        with open(self.yaml_path) as f:
            docs = list(yaml.safe_load_all(f))

        def without_tls(objects):
            objects = json.loads(json.dumps(objects))
            for o in objects:
                if o["kind"] == "Secret":
                    o["data"] = sorted(o["data"])
                for hook in o.get("webhooks", []):
                    hook["clientConfig"]["caBundle"] = "-"
            return objects

        self.assertEqual(without_tls(docs), without_tls(PLAN["objects"]))
        deploy = [d for d in docs if d["kind"] == "Deployment"][0]
        self.assertEqual(deploy["spec"]["template"]["metadata"]["annotations"]
                         ["prometheus.io/scrape"], "true")

    def test_local_parse_reads_every_object(self):
        res = self.kubectl("annotate", "--local", "-f", self.yaml_path,
                           "albatross.test/read=yes", "-o", "json")
        self.assertEqual(res.returncode, 0, res.stderr)
        names = [json.loads(doc)["metadata"]["name"]
                 for doc in res.stdout.replace("}\n{", "}\n\x00{").split("\x00")]
        self.assertEqual(names, [name for _, name, _ in EXPECTED])

    def test_apply_dry_run_accepts(self):
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Discovery)
        thread = threading.Thread(target=httpd.serve_forever)
        thread.start()
        try:
            res = self.kubectl("apply", "--dry-run=client", "--validate=false",
                               "-f", self.yaml_path,
                               server="http://127.0.0.1:%d" % httpd.server_address[1])
        finally:
            httpd.shutdown()
            thread.join()
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout.count("created (dry run)"), len(EXPECTED), res.stdout)


class Usage(unittest.TestCase):
    def test_dry_run_is_for_install_only(self):
        for verb in ("upgrade", "uninstall"):
            res = SB.albatross(verb, "controller", "--cluster", CLUSTER, "--version",
                               "v2.5.4", "--dry-run", check=False)
            self.assertEqual(res.returncode, 2)
            self.assertIn("--dry-run is for install only", res.stderr)
            self.assertEqual(res.stdout, "")

    def test_missing_cluster_exits_2(self):
        res = SB.albatross("install", "controller", "--dry-run", check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("missing cluster name", res.stderr)

    def test_unknown_cluster_fails(self):
        res = SB.albatross("install", "controller", "--cluster", "nope", "--dry-run",
                           check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("ResourceNotFoundException", res.stderr)

    def test_policy_file_option(self):
        good = os.path.join(TMP.name, "policy.json")
        with open(good, "w") as f:
            json.dump({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "ec2:DescribeVpcs", "Resource": "*"}]}, f)
        res = SB.albatross("install", "controller", "--cluster", CLUSTER,
                           "--region", REGION, "--policy-file", good,
                           "--dry-run", "-o", "json")
        step = json.loads(res.stdout)["iamSteps"][0]
        self.assertEqual(step["document"], good)
        self.assertEqual(step["statements"], 1)
        self.assertNotIn("warning", step)

        bad = os.path.join(TMP.name, "bad.json")
        with open(bad, "w") as f:
            f.write('{"Statement": [{"Effect": "Maybe"}]}')
        res = SB.albatross("install", "controller", "--cluster", CLUSTER,
                           "--policy-file", bad, "--dry-run", check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("invalid IAM policy " + bad, res.stderr)
        self.assertEqual(res.stdout, "")

    def test_pod_identity_plan(self):
        res = SB.albatross("install", "controller", "--cluster", CLUSTER,
                           "--region", REGION, "--identity", "pod-identity",
                           "--dry-run", "-o", "json")
        plan = json.loads(res.stdout)
        self.assertEqual([s["operation"] for s in plan["iamSteps"]],
                         ["CreatePolicy", "CreateAddon", "CreateRole",
                          "AttachRolePolicy", "CreatePodIdentityAssociation"])
        agent = plan["iamSteps"][1]
        self.assertEqual((agent["service"], agent["clusterName"], agent["addonName"]),
                         ("eks", CLUSTER, "eks-pod-identity-agent"))
        sa = [o for o in plan["objects"] if o["kind"] == "ServiceAccount"][0]
        self.assertNotIn("annotations", sa["metadata"])


if __name__ == "__main__":
    unittest.main()
