"""Send AWS calls to the sandbox and judge the replies as botocore does.

AwsChecks signs calls with botocore's SigV4Auth, parses the replies with
botocore's own parser and walks them against the operation's output
shape. A missing required member, an unknown element or key, or a wrong
type or namespace fails the test. Test classes mix it in and set
endpoint, host, tls, key, secret and sb (a running Sandbox).
"""

import http.client
import json
import subprocess
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.auth
import botocore.handlers
import botocore.parsers
import botocore.session
from botocore.awsrequest import AWSRequest, HeadersDict
from botocore.credentials import Credentials

XMLNS = {
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "ec2": "http://ec2.amazonaws.com/doc/2016-11-15/",
    "elasticloadbalancing":
        "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
    "cloudformation": "http://cloudformation.amazonaws.com/doc/2010-05-15/",
}
# The signing name of each service and the botocore model that has it.
MODELS = {"sts": "sts", "iam": "iam", "ec2": "ec2", "eks": "eks",
          "elasticloadbalancing": "elbv2", "acm": "acm", "wafv2": "wafv2",
          "cloudformation": "cloudformation"}
API_VERSIONS = {"sts": "2011-06-15", "iam": "2010-05-08", "ec2": "2016-11-15",
                "elasticloadbalancing": "2015-12-01",
                "cloudformation": "2010-05-15"}

_session = botocore.session.get_session()
_models = {}


def model(service):
    if service not in _models:
        _models[service] = _session.get_service_model(MODELS[service])
    return _models[service]


def local(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


class ShapeWalker:
    """Checks a reply against a botocore output shape, strictly."""

    def __init__(self, test, item_default="member", xmlns=None):
        self.test = test
        self.item_default = item_default
        self.xmlns = xmlns

    def xml(self, element, shape, path):
        if self.xmlns is not None:
            self.test.assertTrue(element.tag.startswith("{%s}" % self.xmlns),
                                 "%s: <%s> is not in namespace %s" % (path, element.tag, self.xmlns))
        kind = shape.type_name
        if kind == "structure":
            self._xml_structure(element, shape, path)
        elif kind == "list":
            item = shape.member.serialization.get("name", self.item_default)
            for child in element:
                self.test.assertEqual(local(child.tag), item, "%s: list item <%s>" % (path, local(child.tag)))
                self.xml(child, shape.member, path + "/" + item)
        elif kind == "map":
            for entry in element:
                self.test.assertEqual(local(entry.tag), "entry", path)
        else:
            self.test.assertEqual(len(element), 0, "%s: scalar with child elements" % path)
            self._scalar_text(element.text or "", shape, path)

    def _xml_structure(self, element, shape, path):
        names = {}
        for name, member in shape.members.items():
            names[member.serialization.get("name", name)] = (name, member)
        seen = set()
        for child in element:
            tag = local(child.tag)
            self.test.assertIn(tag, names, "%s: unknown element <%s>" % (path, tag))
            name, member = names[tag]
            self.test.assertNotIn(name, seen, "%s: <%s> repeated" % (path, tag))
            seen.add(name)
            self.xml(child, member, path + "/" + tag)
        for name in shape.required_members:
            self.test.assertIn(name, seen, "%s: required member %s missing" % (path, name))

    def _scalar_text(self, text, shape, path):
        kind = shape.type_name
        if kind == "boolean":
            self.test.assertIn(text, ("true", "false"), path)
        elif kind in ("integer", "long"):
            self.test.assertRegex(text, r"^-?\d+$", path)
        elif kind == "timestamp":
            self.test.assertRegex(text, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", path)
        elif kind == "string" and shape.enum:
            self.test.assertIn(text, shape.enum, path)

    def json(self, value, shape, path):
        kind = shape.type_name
        if kind == "structure":
            self.test.assertIsInstance(value, dict, path)
            names = {m.serialization.get("name", n): n for n, m in shape.members.items()}
            for key, item in value.items():
                self.test.assertIn(key, names, "%s: unknown key %r" % (path, key))
                self.json(item, shape.members[names[key]], path + "." + key)
            for name in shape.required_members:
                self.test.assertIn(name, value, "%s: required member %s missing" % (path, name))
        elif kind == "list":
            self.test.assertIsInstance(value, list, path)
            for i, item in enumerate(value):
                self.json(item, shape.member, "%s[%d]" % (path, i))
        elif kind == "map":
            self.test.assertIsInstance(value, dict, path)
            for key, item in value.items():
                self.json(item, shape.value, "%s[%r]" % (path, key))
        elif kind == "boolean":
            self.test.assertIsInstance(value, bool, path)
        elif kind in ("integer", "long"):
            self.test.assertTrue(isinstance(value, int) and not isinstance(value, bool), path)
        elif kind in ("float", "double", "timestamp"):
            self.test.assertIsInstance(value, (int, float), path)
        else:
            self.test.assertIsInstance(value, str, path)
            if shape.enum:
                self.test.assertIn(value, shape.enum, path)


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


class AwsChecks:
    """Sending and checking, for unittest.TestCase subclasses."""

    # --- sending -------------------------------------------------------

    def send(self, method, path, body=b"", headers=None):
        host, port = self.host.rsplit(":", 1)
        conn = http.client.HTTPSConnection(host, int(port), context=self.tls, timeout=20)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            res = conn.getresponse()
            return Reply(res.status, dict(res.getheaders()), res.read())
        finally:
            conn.close()

    def signed(self, service, region, method, path, params=None, key=None,
               secret=None, token=None, headers=None):
        """Signs with botocore's SigV4Auth and sends; params go in a form
        body for query and ec2 calls and in the URL for GET."""
        body = b""
        hdrs = dict(headers or {})
        url = self.endpoint + path
        if params is not None and method == "POST":
            body = urllib.parse.urlencode(params).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        elif params:
            url += "?" + urllib.parse.urlencode(params)
        req = AWSRequest(method=method, url=url, data=body, headers=hdrs)
        creds = Credentials(key or self.key, secret or self.secret, token)
        botocore.auth.SigV4Auth(creds, service, region).add_auth(req)
        prepared = req.prepare()
        target = urllib.parse.urlsplit(prepared.url)
        path_qs = target.path + ("?" + target.query if target.query else "")
        return self.send(method, path_qs, body, dict(prepared.headers.items()))

    def query(self, service, action, params=None, region="us-east-1", **kw):
        form = {"Action": action, "Version": API_VERSIONS[service]}
        form.update(params or {})
        return self.signed(service, region, "POST", "/", form, **kw)

    def json_call(self, service, operation, body, region="us-east-1", **kw):
        """A json protocol call: the operation in X-Amz-Target."""
        prefix = model(service).metadata["targetPrefix"]
        headers = {"X-Amz-Target": "%s.%s" % (prefix, operation),
                   "Content-Type": "application/x-amz-json-1.1"}
        return self.signed_body(service, region, json.dumps(body).encode(),
                                headers, **kw)

    def signed_body(self, service, region, body, headers, key=None,
                    secret=None):
        req = AWSRequest(method="POST", url=self.endpoint + "/", data=body,
                         headers=headers)
        creds = Credentials(key or self.key, secret or self.secret)
        botocore.auth.SigV4Auth(creds, service, region).add_auth(req)
        prepared = req.prepare()
        return self.send("POST", "/", body, dict(prepared.headers.items()))

    # --- checking ------------------------------------------------------

    def parse(self, service, operation, reply):
        """Parses reply with botocore's parser for the service's protocol."""
        op = model(service).operation_model(operation)
        parser = botocore.parsers.create_parser(model(service).metadata["protocol"])
        parsed = parser.parse({"status_code": reply.status, "headers": HeadersDict(reply.headers),
                               "body": reply.body}, op.output_shape)
        if service == "iam":
            # What botocore does after every IAM call: policy documents
            # arrive percent-encoded and leave as dicts.
            botocore.handlers.json_decode_policies(parsed, op)
        return parsed

    def check_query_reply(self, service, operation, reply):
        """A 200 query or ec2 reply: namespace, wrapper elements, request
        id, and the result walked against the output shape."""
        self.assertEqual(reply.status, 200, reply.body)
        self.assertTrue(reply.header("x-amzn-RequestId"))
        self.assertTrue(reply.header("Content-Type").startswith("text/xml"))
        op = model(service).operation_model(operation)
        root = ET.fromstring(reply.body)
        ns = XMLNS[service]
        self.assertEqual(root.tag, "{%s}%sResponse" % (ns, operation))
        if service == "ec2":
            walker = ShapeWalker(self, item_default="item", xmlns=ns)
            request_id = root.find("{%s}requestId" % ns)
            self.assertIsNotNone(request_id, "ec2 reply without requestId")
            result = ET.Element(root.tag)
            result.extend(c for c in root if local(c.tag) != "requestId")
            walker.xml(result, op.output_shape, operation)
        else:
            walker = ShapeWalker(self, xmlns=ns)
            children = [local(c.tag) for c in root]
            wrapper = op.output_shape.serialization["resultWrapper"]
            self.assertEqual(children, [wrapper, "ResponseMetadata"])
            walker.xml(root[0], op.output_shape, wrapper)
            self.assertTrue(root.find("{%s}ResponseMetadata/{%s}RequestId" % (ns, ns)).text)
        parsed = self.parse(service, operation, reply)
        self.assertNotIn("Error", parsed)
        return parsed

    def check_json_reply(self, operation, reply, service="eks"):
        """A 200 rest-json (EKS) or json (ACM, WAFv2) reply, walked
        against the operation's output shape."""
        self.assertEqual(reply.status, 200, reply.body)
        self.assertTrue(reply.header("x-amzn-RequestId"))
        json_protocol = model(service).metadata["protocol"] == "json"
        self.assertEqual(reply.header("Content-Type"),
                         "application/x-amz-json-1.1" if json_protocol
                         else "application/json")
        op = model(service).operation_model(operation)
        ShapeWalker(self).json(json.loads(reply.body), op.output_shape, operation)
        parsed = self.parse(service, operation, reply)
        self.assertNotIn("Error", parsed)
        return parsed

    def check_error(self, service, operation, reply, status, code):
        """An error reply in the service's format; returns its message."""
        self.assertEqual(reply.status, status, reply.body)
        self.assertTrue(reply.header("x-amzn-RequestId"))
        parsed = self.parse(service, operation, reply)
        self.assertEqual(parsed["Error"]["Code"], code)
        protocol = model(service).metadata["protocol"]
        if protocol == "query":
            root = ET.fromstring(reply.body)
            self.assertEqual(root.tag, "{%s}ErrorResponse" % XMLNS[service])
            self.assertTrue(root.find("{%s}RequestId" % XMLNS[service]).text)
        elif protocol == "ec2":
            root = ET.fromstring(reply.body)
            self.assertEqual(root.tag, "Response")
            self.assertTrue(root.find("RequestID").text)
        elif protocol == "json":
            self.assertEqual(json.loads(reply.body)["__type"], code)
        else:
            self.assertEqual(reply.header("x-amzn-ErrorType"), code)
        self.assertTrue(parsed["Error"]["Message"])
        return parsed["Error"]["Message"]

    def cli(self, *args, region="us-east-1"):
        cmd = ["aws", "--endpoint-url", self.endpoint, "--region", region,
               "--output", "json"] + list(args)
        res = subprocess.run(cmd, env=self.sb.client_env(), capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(res.returncode, 0, "%s: %s" % (" ".join(args), res.stderr))
        return json.loads(res.stdout)
