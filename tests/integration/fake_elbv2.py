"""A loopback ELBv2 endpoint with many load balancers, for tests and the
benchmark that need more of them than a world holds.

It serves the query protocol's read calls with AWS's XML shapes, pages
with Marker/NextMarker, rejects DescribeTags with more than 20 ARNs as
AWS does, and records every call (operation and parameters). Signatures
are not checked: the sandbox tests do that.
"""

import http.server
import threading
import urllib.parse
from xml.sax.saxutils import escape

NS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
ACCOUNT = "111122223333"


def lb_arn(region, i):
    return "arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/k8s-lb%d/%016x" % (
        region, ACCOUNT, i, i)


def tg_arn(region, i):
    return "arn:aws:elasticloadbalancing:%s:%s:targetgroup/k8s-tg%d/%016x" % (
        region, ACCOUNT, i, i)


class Account:
    """Load balancers, one target group per ingress backend, and their tags.

    stacks: one (stack id, ingresses) per load balancer tagged for
    cluster, each ingress a (namespace, name, backends) with backends a
    list of (service, port); extra: load balancers of another cluster."""

    def __init__(self, region, cluster, stacks, extra=0):
        self.region = region
        self.lbs = []
        self.tgs = []
        self.tags = {}
        for i, (stack, ingresses) in enumerate(stacks):
            arn = lb_arn(region, i)
            self.lbs.append({"arn": arn, "name": "k8s-lb%d" % i,
                             "dns": "k8s-lb%d.%s.elb.amazonaws.com" % (i, region)})
            self.tags[arn] = {"elbv2.k8s.aws/cluster": cluster,
                              "ingress.k8s.aws/stack": stack,
                              "ingress.k8s.aws/resource": "LoadBalancer"}
            for ns, name, backends in ingresses:
                for service, port in backends:
                    t = tg_arn(region, len(self.tgs))
                    self.tgs.append({"arn": t, "name": "k8s-tg%d" % len(self.tgs), "lb": arn})
                    self.tags[t] = {"elbv2.k8s.aws/cluster": cluster,
                                    "ingress.k8s.aws/stack": stack,
                                    "ingress.k8s.aws/resource":
                                        "%s/%s-%s:%s" % (ns, name, service, port)}
        for k in range(extra):
            arn = lb_arn(region, 100000 + k)
            self.lbs.append({"arn": arn, "name": "other%d" % k,
                             "dns": "other%d.elb.amazonaws.com" % k})
            self.tags[arn] = {"elbv2.k8s.aws/cluster": "another-cluster"}


def stacks_of(ingresses):
    """Groups Kubernetes Ingress objects into the controller's stacks:
    the group.name annotation, else NAMESPACE/NAME."""
    stacks = {}
    for ing in ingresses:
        meta, spec = ing["metadata"], ing.get("spec", {})
        group = meta.get("annotations", {}).get("alb.ingress.kubernetes.io/group.name")
        stack = group or "%s/%s" % (meta["namespace"], meta["name"])
        backends = []
        paths = [spec.get("defaultBackend")] + [
            p.get("backend") for r in spec.get("rules", [])
            for p in r.get("http", {}).get("paths", [])]
        for b in paths:
            svc = (b or {}).get("service")
            if not svc:
                continue
            port = svc.get("port", {})
            key = (svc["name"], str(port.get("number", port.get("name", ""))))
            if key not in backends:
                backends.append(key)
        stacks.setdefault(stack, []).append((meta["namespace"], meta["name"], backends))
    return sorted(stacks.items())


def member_list(name, items):
    return "<%s>%s</%s>" % (name, "".join("<member>%s</member>" % i for i in items), name)


class Handler(http.server.BaseHTTPRequestHandler):
    account = None
    calls = None
    lock = None

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, message):
        self.reply(400, "<ErrorResponse xmlns=\"%s\"><Error><Type>Sender</Type><Code>%s</Code>"
                   "<Message>%s</Message></Error><RequestId>r</RequestId></ErrorResponse>"
                   % (NS, code, escape(message)))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode(),
                                             keep_blank_values=True))
        op = params.get("Action", "")
        with self.lock:
            self.calls.append((op, params))
        handler = getattr(self, "op_" + op, None)
        if not handler:
            self.error("InvalidAction", "fake ELBv2 does not serve " + op)
            return
        result = handler(params)
        if result is not None:
            self.reply(200, "<%sResponse xmlns=\"%s\"><%sResult>%s</%sResult>"
                       "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
                       "</%sResponse>" % (op, NS, op, result, op, op))

    def page(self, params, items):
        size = int(params.get("PageSize", "400"))
        start = int(params.get("Marker") or 0)
        chunk = items[start:start + size]
        more = start + size < len(items)
        return chunk, ("<NextMarker>%d</NextMarker>" % (start + size) if more else "")

    def op_DescribeLoadBalancers(self, params):
        chunk, marker = self.page(params, self.account.lbs)
        members = ["<LoadBalancerArn>%s</LoadBalancerArn><DNSName>%s</DNSName>"
                   "<LoadBalancerName>%s</LoadBalancerName><Scheme>internet-facing</Scheme>"
                   "<State><Code>active</Code></State><Type>application</Type>"
                   "<AvailabilityZones><member><ZoneName>%sa</ZoneName><SubnetId>subnet-a"
                   "</SubnetId></member></AvailabilityZones>"
                   % (lb["arn"], lb["dns"], lb["name"], self.account.region) for lb in chunk]
        return member_list("LoadBalancers", members) + marker

    def op_DescribeTargetGroups(self, params):
        tgs = self.account.tgs
        if params.get("LoadBalancerArn"):
            tgs = [t for t in tgs if t["lb"] == params["LoadBalancerArn"]]
        chunk, marker = self.page(params, tgs)
        members = ["<TargetGroupArn>%s</TargetGroupArn><TargetGroupName>%s</TargetGroupName>"
                   "<Protocol>HTTP</Protocol><Port>80</Port><TargetType>ip</TargetType>"
                   "<LoadBalancerArns><member>%s</member></LoadBalancerArns>"
                   % (t["arn"], t["name"], t["lb"]) for t in chunk]
        return member_list("TargetGroups", members) + marker

    def op_DescribeTags(self, params):
        arns = [v for k, v in sorted(params.items()) if k.startswith("ResourceArns.member.")]
        if not arns or len(arns) > 20:
            self.error("ValidationError", "between 1 and 20 ResourceArns, got %d" % len(arns))
            return None
        members = []
        for arn in arns:
            tags = "".join("<member><Key>%s</Key><Value>%s</Value></member>" % (k, v)
                           for k, v in self.account.tags.get(arn, {}).items())
            members.append("<ResourceArn>%s</ResourceArn><Tags>%s</Tags>" % (arn, tags))
        return member_list("TagDescriptions", members)

    def op_DescribeTargetHealth(self, params):
        arn = params.get("TargetGroupArn", "")
        return member_list("TargetHealthDescriptions", [
            "<Target><Id>10.0.%d.1</Id><Port>8080</Port></Target>"
            "<TargetHealth><State>healthy</State></TargetHealth>" % (len(arn) % 250)])

    def op_DescribeListeners(self, params):
        arn = params.get("LoadBalancerArn", "")
        return member_list("Listeners", [
            "<ListenerArn>%s/listener/80</ListenerArn><LoadBalancerArn>%s</LoadBalancerArn>"
            "<Port>80</Port><Protocol>HTTP</Protocol>" % (arn, arn)])

    def op_DescribeRules(self, params):
        return member_list("Rules", [
            "<RuleArn>%s/rule/default</RuleArn><Priority>default</Priority>"
            "<IsDefault>true</IsDefault><Actions><member><Type>fixed-response</Type>"
            "<FixedResponseConfig><StatusCode>404</StatusCode></FixedResponseConfig>"
            "</member></Actions>" % params.get("ListenerArn", "")])

    def op_DescribeLoadBalancerAttributes(self, params):
        return member_list("Attributes", [
            "<Key>idle_timeout.timeout_seconds</Key><Value>60</Value>"])


class FakeElbv2:
    """Serves account on a loopback port until stop()."""

    def __init__(self, account):
        handler = type("H", (Handler,), {"account": account, "calls": [],
                                         "lock": threading.Lock()})
        self.handler = handler
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    @property
    def calls(self):
        return list(self.handler.calls)

    def reset(self):
        del self.handler.calls[:]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
