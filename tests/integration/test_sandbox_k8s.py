"""The sandbox itself: its command line, client environment, shutdown, and
the Kubernetes API it serves for each world cluster (discovery, lists with
limit/continue, single objects, EKS token checks), judged by kubectl and
by plain HTTPS requests."""

import base64
import datetime
import http.client
import json
import os
import re
import signal
import ssl
import stat
import subprocess
import tempfile
import unittest
from unittest import mock

import yaml

import sandbox
from sandbox import Sandbox

SIGV4_TOOL = os.path.join(sandbox.ROOT, os.environ.get("ALBATROSS_BUILD", "build"),
                          "tools", "sigv4_tool")
DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")

# A world for paging: more service accounts than one page, in several
# namespaces, written in an order that is not the sorted one.
PAGING_WORLD = """\
account: "111122223333"
regions: [us-west-2]
credentials:
  - accessKeyId: AKIAIOSFODNN7EXAMPLE
    secretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    user: tester
clusters:
  - name: big
    region: us-west-2
    serviceAccounts:
      - {namespace: zeta, name: "app-{n}", count: 1500}
      - {namespace: alpha, name: "worker-{n}", count: 701}
      - {namespace: alpha, name: builder, labels: {team: ci}}
    ingresses:
      - namespace: zeta
        name: "web-{n}"
        count: 30
        ingressClassName: alb
        rules:
          - {host: "web.example.com", path: /, service: web, port: 80}
"""


def expand(items):
    """(namespace, name) of world file items, with `count` copies."""
    out = []
    for item in items or []:
        ns = item.get("namespace", "default")
        count = item.get("count")
        if count is None:
            out.append((ns, item["name"]))
        else:
            out.extend((ns, item["name"].replace("{n}", str(i)))
                       for i in range(1, count + 1))
    return out


def token_with_sigv4_tool(env, region, cluster, when):
    request = {
        "mode": "eks-token", "region": region,
        "time": when.strftime("%Y%m%dT%H%M%SZ"),
        "access_key_id": env["AWS_ACCESS_KEY_ID"],
        "secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "sts_url": "https://sts.%s.amazonaws.com" % region,
        "cluster_name": cluster,
    }
    res = subprocess.run([SIGV4_TOOL], input=json.dumps(request),
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout)["token"]


def token_with_botocore(env, region, cluster, when):
    """Presigns GetCallerIdentity as `aws eks get-token` does."""
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = ("https://sts.%s.amazonaws.com/?Action=GetCallerIdentity"
           "&Version=2011-06-15" % region)
    req = AWSRequest(method="GET", url=url, headers={"x-k8s-aws-id": cluster})
    creds = Credentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"])
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        SigV4QueryAuth(creds, "sts", region, expires=60).add_auth(req)
    encoded = base64.urlsafe_b64encode(req.url.encode()).decode()
    return "k8s-aws-v1." + encoded.rstrip("=")


def make_token(env, region, cluster, age_seconds=0):
    """An EKS token for cluster, signed age_seconds ago."""
    when = (datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
            - datetime.timedelta(seconds=age_seconds))
    if os.access(SIGV4_TOOL, os.X_OK):
        return token_with_sigv4_tool(env, region, cluster, when)
    return token_with_botocore(env, region, cluster, when)


class Client:
    """HTTPS to the sandbox, trusting only its CA."""

    def __init__(self, box):
        self.env = box.env
        url = box.env["AWS_ENDPOINT_URL"]
        self.port = int(url.rsplit(":", 1)[1])
        self.context = ssl.create_default_context(cafile=box.env["AWS_CA_BUNDLE"])
        self.conn = http.client.HTTPSConnection("127.0.0.1", self.port,
                                                context=self.context, timeout=30)

    def get(self, path, token=None, headers=None):
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["Authorization"] = "Bearer " + token
        self.conn.request("GET", path, headers=hdrs)
        res = self.conn.getresponse()
        body = res.read()
        return res.status, res.getheader("Content-Type"), body

    def get_json(self, path, token):
        status, ctype, body = self.get(path, token)
        return status, ctype, json.loads(body)

    def close(self):
        self.conn.close()


def first_cluster(world_path):
    with open(world_path) as f:
        world = yaml.safe_load(f)
    return world["clusters"][0]


class SandboxCommandLineTest(unittest.TestCase):

    def run_sandbox(self, *args):
        return subprocess.run([sandbox.SANDBOX] + list(args), capture_output=True,
                              text=True, timeout=10)

    def test_port_not_a_number(self):
        res = self.run_sandbox("--port", "abc")
        self.assertEqual(res.returncode, 2)
        self.assertEqual(len(res.stderr.strip().splitlines()), 1)
        self.assertIn("'abc'", res.stderr)
        self.assertIn("--port", res.stderr)

    def test_port_with_blank_or_sign(self):
        # strtol alone would take both.
        for value in (" 80", "+80", "80 "):
            res = self.run_sandbox("--port", value)
            self.assertEqual(res.returncode, 2, value)
            self.assertIn("'%s'" % value, res.stderr)

    def test_failed_start_leaves_no_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, TMPDIR=tmp)
            res = subprocess.run([sandbox.SANDBOX, "--env-file",
                                  "/nonexistent/dir/env"], env=env,
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual(res.returncode, 1)
            self.assertIn("/nonexistent/dir/env", res.stderr)
            self.assertEqual(os.listdir(tmp), [])

    def test_port_out_of_range(self):
        res = self.run_sandbox("--port=65536")
        self.assertEqual(res.returncode, 2)
        self.assertIn("'65536'", res.stderr)

    def test_unknown_option(self):
        res = self.run_sandbox("--colour")
        self.assertEqual(res.returncode, 2)
        self.assertIn("'--colour'", res.stderr)

    def test_missing_world_file(self):
        res = self.run_sandbox("--world", "/nonexistent/world.yaml")
        self.assertEqual(res.returncode, 2)
        self.assertIn("/nonexistent/world.yaml", res.stderr)

    def test_version(self):
        res = self.run_sandbox("--version")
        self.assertEqual(res.returncode, 0)
        self.assertRegex(res.stdout, r"^albatross-sandbox \d+\.\d+")


class SandboxLifecycleTest(unittest.TestCase):

    def test_env_file_keys(self):
        with Sandbox() as box:
            self.assertEqual(set(box.env), {
                "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                "AWS_REGION", "AWS_EC2_METADATA_DISABLED", "AWS_CA_BUNDLE",
                "KUBECONFIG"})
            self.assertRegex(box.env["AWS_ENDPOINT_URL"], r"^https://127\.0\.0\.1:\d+$")
            self.assertEqual(box.env["AWS_EC2_METADATA_DISABLED"], "true")
            with open(DEMO) as f:
                world = yaml.safe_load(f)
            self.assertEqual(box.env["AWS_ACCESS_KEY_ID"],
                             world["credentials"][0]["accessKeyId"])
            self.assertEqual(box.env["AWS_REGION"], world["regions"][0])
            self.assertTrue(os.path.isfile(box.env["AWS_CA_BUNDLE"]))
            self.assertTrue(os.path.isfile(box.env["KUBECONFIG"]))
            mode = os.stat(os.path.dirname(box.env["AWS_CA_BUNDLE"])).st_mode
            self.assertEqual(stat.S_IMODE(mode), 0o700)

    def test_sigterm_exits_cleanly(self):
        box = Sandbox().start()
        try:
            tmp = os.path.dirname(box.env["AWS_CA_BUNDLE"])
            self.assertTrue(os.path.isdir(tmp))
            # Serve a few requests first, so a leak checker (make asan)
            # sees their memory released by the exit.
            cluster = first_cluster(DEMO)
            client = Client(box)
            base = "/k8s/%s/%s/api/v1/serviceaccounts" % (cluster["region"], cluster["name"])
            token = make_token(box.env, cluster["region"], cluster["name"])
            self.assertEqual(client.get(base + "?limit=1", token)[0], 200)
            self.assertEqual(client.get(base)[0], 401)
            client.close()
            box.proc.send_signal(signal.SIGTERM)
            self.assertEqual(box.proc.wait(10), 0)
            self.assertFalse(os.path.exists(tmp))
        finally:
            box.stop()

    def test_env_on_stdout_without_env_file(self):
        proc = subprocess.Popen([sandbox.SANDBOX], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        try:
            lines = []
            for line in proc.stdout:
                lines.append(line.strip())
                if line.startswith("KUBECONFIG="):
                    break
            keys = [line.partition("=")[0] for line in lines]
            self.assertEqual(keys[0], "AWS_ENDPOINT_URL")
            self.assertEqual(keys[-1], "KUBECONFIG")
            self.assertIn("AWS_CA_BUNDLE", keys)
        finally:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(10), 0)
            proc.stdout.close()

    def test_port_in_use_fails(self):
        with Sandbox() as box:
            port = box.env["AWS_ENDPOINT_URL"].rsplit(":", 1)[1]
            res = subprocess.run([sandbox.SANDBOX, "--port", port],
                                 capture_output=True, text=True, timeout=10)
            self.assertEqual(res.returncode, 1)
            self.assertIn("127.0.0.1:" + port, res.stderr)

    def test_kubeconfig_contexts(self):
        with Sandbox() as box:
            with open(box.env["KUBECONFIG"]) as f:
                config = yaml.safe_load(f)
            cluster = first_cluster(DEMO)
            current = config["current-context"]
            contexts = {c["name"]: c["context"] for c in config["contexts"]}
            self.assertIn(current, contexts)
            self.assertTrue(current.endswith(":cluster/" + cluster["name"]))
            server = {c["name"]: c["cluster"] for c in config["clusters"]}
            entry = server[contexts[current]["cluster"]]
            self.assertEqual(entry["server"], "%s/k8s/%s/%s" % (
                box.env["AWS_ENDPOINT_URL"], cluster["region"], cluster["name"]))
            with open(box.env["AWS_CA_BUNDLE"], "rb") as f:
                self.assertEqual(base64.b64decode(entry["certificate-authority-data"]),
                                 f.read())
            users = {u["name"]: u["user"] for u in config["users"]}
            exec_ = users[contexts[current]["user"]]["exec"]
            self.assertEqual(exec_["apiVersion"], "client.authentication.k8s.io/v1beta1")
            self.assertEqual(exec_["command"], "aws")
            self.assertEqual(exec_["args"], [
                "--region", cluster["region"], "eks", "get-token",
                "--cluster-name", cluster["name"], "--output", "json"])


class SandboxKubernetesDemoTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox().start()
        cls.cluster = first_cluster(DEMO)
        cls.base = "/k8s/%s/%s" % (cls.cluster["region"], cls.cluster["name"])
        cls.client = Client(cls.box)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.box.stop()

    def token(self, age_seconds=0, cluster=None):
        return make_token(self.box.env, self.cluster["region"],
                          cluster or self.cluster["name"], age_seconds)

    def test_kubectl_lists_demo_objects(self):
        res = self.box.kubectl("get", "sa,ingress", "-A", "-o", "json")
        items = json.loads(res.stdout)["items"]
        seen = sorted((i["kind"], i["metadata"]["namespace"], i["metadata"]["name"])
                      for i in items)
        expected = sorted(
            [("ServiceAccount",) + k for k in expand(self.cluster.get("serviceAccounts"))]
            + [("Ingress",) + k for k in expand(self.cluster.get("ingresses"))])
        self.assertTrue(expected)
        self.assertEqual(seen, expected)

    def test_kubectl_shows_ingress_fields(self):
        ingresses = [i for i in self.cluster.get("ingresses", []) if "count" not in i]
        if not ingresses:
            self.skipTest("the demo world has no single ingress")
        want = ingresses[0]
        res = self.box.kubectl("get", "ingress", "-n", want.get("namespace", "default"),
                               want["name"], "-o", "json")
        got = json.loads(res.stdout)
        self.assertEqual(got["kind"], "Ingress")
        self.assertEqual(got["spec"].get("ingressClassName"), want.get("ingressClassName"))
        paths = [(r.get("host"), p["path"], p["pathType"],
                  p["backend"]["service"]["name"], p["backend"]["service"]["port"]["number"])
                 for r in got["spec"]["rules"] for p in r["http"]["paths"]]
        self.assertEqual(paths, [(r.get("host"), r.get("path", "/"), "Prefix",
                                  r["service"], r.get("port", 80)) for r in want["rules"]])
        hostnames = [i["hostname"] for i in
                     got["status"]["loadBalancer"].get("ingress", [])]
        expected = [want["loadBalancerHostname"]] if "loadBalancerHostname" in want else []
        self.assertEqual(hostnames, expected)

    def test_kubectl_names_missing_object(self):
        res = self.box.kubectl("get", "sa", "-n", "default", "no-such-account",
                               check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('serviceaccounts "no-such-account" not found', res.stderr)

    def test_discovery_is_plain_json(self):
        token = self.token()
        for path, kind in (("/api", "APIVersions"), ("/apis", "APIGroupList"),
                           ("/api/v1", "APIResourceList"),
                           ("/apis/networking.k8s.io/v1", "APIResourceList")):
            status, ctype, doc = self.client.get_json(self.base + path, token)
            self.assertEqual(status, 200, path)
            self.assertEqual(ctype, "application/json", path)
            self.assertEqual(doc["kind"], kind, path)
        _, _, core = self.client.get_json(self.base + "/api/v1", token)
        sa = [r for r in core["resources"] if r["name"] == "serviceaccounts"][0]
        self.assertTrue(sa["namespaced"])
        self.assertEqual(sa["shortNames"], ["sa"])
        self.assertIn("list", sa["verbs"])

    def assert_unauthorized(self, token):
        status, _, doc = self.client.get_json(self.base + "/api/v1/serviceaccounts", token)
        self.assertEqual(status, 401)
        self.assertEqual(doc["kind"], "Status")
        self.assertEqual(doc["reason"], "Unauthorized")
        self.assertEqual(doc["code"], 401)

    def test_fresh_token_accepted(self):
        status, _, doc = self.client.get_json(self.base + "/api/v1/serviceaccounts",
                                              self.token())
        self.assertEqual(status, 200)
        self.assertEqual(doc["kind"], "ServiceAccountList")

    def test_missing_token_rejected(self):
        status, _, body = self.client.get(self.base + "/api/v1/serviceaccounts")
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(body)["reason"], "Unauthorized")

    def test_garbage_token_rejected(self):
        self.assert_unauthorized("k8s-aws-v1.bm90IGEgdG9rZW4")

    def test_expired_token_rejected(self):
        self.assert_unauthorized(self.token(age_seconds=20 * 60))

    def test_other_cluster_token_rejected(self):
        self.assert_unauthorized(self.token(cluster="some-other-cluster"))

    def test_tampered_token_rejected(self):
        token = self.token()
        url = base64.urlsafe_b64decode(token[len("k8s-aws-v1."):] + "==").decode()
        url = re.sub(r"X-Amz-Signature=([0-9a-f])",
                     lambda m: "X-Amz-Signature=" + ("1" if m.group(1) == "0" else "0"),
                     url)
        tampered = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
        self.assert_unauthorized("k8s-aws-v1." + tampered)

    def test_unknown_cluster_not_found(self):
        status, _, doc = self.client.get_json(
            "/k8s/%s/no-such-cluster/api/v1/serviceaccounts" % self.cluster["region"],
            self.token(cluster="no-such-cluster"))
        self.assertEqual(status, 404)
        self.assertEqual(doc["reason"], "NotFound")

    def test_single_object_and_not_found(self):
        ns, name = expand(self.cluster.get("serviceAccounts"))[0]
        path = "%s/api/v1/namespaces/%s/serviceaccounts/" % (self.base, ns)
        status, _, doc = self.client.get_json(path + name, self.token())
        self.assertEqual(status, 200)
        self.assertEqual(doc["kind"], "ServiceAccount")
        self.assertEqual(doc["metadata"]["name"], name)
        self.assertEqual(doc["metadata"]["namespace"], ns)
        self.assertTrue(doc["metadata"]["uid"])
        self.assertTrue(doc["metadata"]["resourceVersion"])
        status, _, doc = self.client.get_json(path + "no-such-account", self.token())
        self.assertEqual(status, 404)
        self.assertEqual(doc["kind"], "Status")
        self.assertEqual(doc["reason"], "NotFound")

    def test_write_rejected(self):
        # The API server keeps default, kube-system and kube-public.
        self.client.conn.request("DELETE", self.base + "/api/v1/namespaces/default",
                                 headers={"Authorization": "Bearer " + self.token()})
        res = self.client.conn.getresponse()
        doc = json.loads(res.read())
        self.assertEqual(res.status, 403)
        self.assertEqual(doc["reason"], "Forbidden")
        # Pods come from the world file only.
        self.client.conn.request("DELETE", self.base + "/api/v1/namespaces/default/pods/any",
                                 headers={"Authorization": "Bearer " + self.token()})
        res = self.client.conn.getresponse()
        doc = json.loads(res.read())
        self.assertEqual(res.status, 405)
        self.assertEqual(doc["reason"], "MethodNotAllowed")

    def test_request_logged_without_token(self):
        token = self.token()
        self.client.get(self.base + "/api/v1/namespaces?limit=1", token)
        log = self.box.output()
        self.assertIn("GET %s/api/v1/namespaces 200" % self.base, log)
        signature = re.search(r"X-Amz-Signature=([0-9a-f]+)", base64.urlsafe_b64decode(
            token[len("k8s-aws-v1."):] + "==").decode()).group(1)
        self.assertNotIn(signature, log)
        self.assertNotIn(self.box.env["AWS_SECRET_ACCESS_KEY"], log)

    def test_body_too_large(self):
        conn = http.client.HTTPSConnection("127.0.0.1", self.client.port,
                                           context=self.client.context, timeout=30)
        try:
            conn.putrequest("POST", "/")
            conn.putheader("Content-Length", str(9 << 20))
            conn.endheaders()
            res = conn.getresponse()
            self.assertEqual(res.status, 413)
        finally:
            conn.close()


class SandboxKubernetesPagingTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="albatross-test-")
        cls.world = os.path.join(cls.tmp.name, "paging.yaml")
        with open(cls.world, "w") as f:
            f.write(PAGING_WORLD)
        cls.box = Sandbox(world=cls.world).start()
        cls.cluster = first_cluster(cls.world)
        cls.base = "/k8s/us-west-2/big"
        cls.client = Client(cls.box)
        cls.token = make_token(cls.box.env, "us-west-2", "big")

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.box.stop()
        cls.tmp.cleanup()

    def list_pages(self, path, limit):
        """Every page of a list; returns the pages' documents."""
        pages, token = [], None
        while True:
            query = "?limit=%d" % limit
            if token:
                query += "&continue=" + token
            status, ctype, doc = self.client.get_json(self.base + path + query, self.token)
            self.assertEqual(status, 200, doc)
            self.assertEqual(ctype, "application/json")
            pages.append(doc)
            token = doc["metadata"].get("continue")
            if not token:
                return pages
            self.assertLess(len(pages), 10000, "paging does not end")

    def keys(self, pages):
        return [(i["metadata"]["namespace"], i["metadata"]["name"])
                for page in pages for i in page["items"]]

    def test_pages_return_each_object_once(self):
        pages = self.list_pages("/api/v1/serviceaccounts", 500)
        keys = self.keys(pages)
        expected = expand(self.cluster["serviceAccounts"])
        self.assertEqual(len(keys), len(expected))
        self.assertEqual(len(set(keys)), len(keys))
        self.assertEqual(set(keys), set(expected))
        self.assertEqual(len(pages), -(-len(expected) // 500))
        for page in pages[:-1]:
            self.assertEqual(len(page["items"]), 500)

    def test_remaining_item_count(self):
        pages = self.list_pages("/api/v1/serviceaccounts", 700)
        total = len(expand(self.cluster["serviceAccounts"]))
        sent = 0
        for page in pages[:-1]:
            sent += len(page["items"])
            self.assertEqual(page["metadata"]["remainingItemCount"], total - sent)
        self.assertNotIn("remainingItemCount", pages[-1]["metadata"])

    def test_namespace_pages(self):
        pages = self.list_pages("/api/v1/namespaces/alpha/serviceaccounts", 100)
        keys = self.keys(pages)
        expected = [k for k in expand(self.cluster["serviceAccounts"]) if k[0] == "alpha"]
        self.assertEqual(sorted(keys), sorted(expected))
        self.assertEqual(len(set(keys)), len(keys))

    def test_ingress_pages(self):
        pages = self.list_pages("/apis/networking.k8s.io/v1/ingresses", 7)
        keys = self.keys(pages)
        self.assertEqual(sorted(keys), sorted(expand(self.cluster["ingresses"])))
        self.assertEqual(pages[0]["kind"], "IngressList")

    def test_list_without_limit(self):
        status, _, doc = self.client.get_json(self.base + "/api/v1/serviceaccounts",
                                              self.token)
        self.assertEqual(status, 200)
        self.assertEqual(len(doc["items"]), len(expand(self.cluster["serviceAccounts"])))
        self.assertNotIn("continue", doc["metadata"])

    def test_label_selector(self):
        status, _, doc = self.client.get_json(
            self.base + "/api/v1/serviceaccounts?labelSelector=team%3Dci", self.token)
        self.assertEqual(status, 200)
        self.assertEqual([i["metadata"]["name"] for i in doc["items"]], ["builder"])

    def test_bad_continue_token_expired(self):
        for token in ("garbage", "eyJ2IjoieCJ9", base64.urlsafe_b64encode(b"{}").decode()):
            status, _, doc = self.client.get_json(
                self.base + "/api/v1/serviceaccounts?limit=10&continue=" + token, self.token)
            self.assertEqual(status, 410, token)
            self.assertEqual(doc["kind"], "Status")
            self.assertEqual(doc["reason"], "Expired")

    def test_bad_limit_rejected(self):
        status, _, doc = self.client.get_json(
            self.base + "/api/v1/serviceaccounts?limit=ten", self.token)
        self.assertEqual(status, 400)
        self.assertEqual(doc["reason"], "BadRequest")

    def test_kubectl_pages_through_everything(self):
        line = "GET %s/api/v1/serviceaccounts 200" % self.base
        before = self.box.output().count(line)
        res = self.box.kubectl("get", "sa", "-A", "--chunk-size=250", "-o", "json")
        items = json.loads(res.stdout)["items"]
        total = len(expand(self.cluster["serviceAccounts"]))
        self.assertEqual(len(items), total)
        self.assertEqual(self.box.output().count(line) - before, -(-total // 250))


if __name__ == "__main__":
    unittest.main()
