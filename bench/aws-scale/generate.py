#!/usr/bin/env python3
"""An AWS-scale provider spec, and the same provider on cppvider and on terraform-plugin-framework.

One seeded spec (1 500 resource types, about 30 attributes each, one or two nested blocks, some
with a block inside) is generated in memory and emitted as:

  --cpp-out DIR   cppvider provider sources. `--cpp-style table` (the default) writes one
                  awsscale_table.cpp: every name and description in one string blob and the
                  schemas as rows of integers that point into it; the provider builds a schema
                  from its rows when Terraform first asks. `--cpp-style code` writes
                  awsscale_code_NN.cpp files, one schema_builder function per resource, for
                  comparing compile time and start-up with the table.
  --go-out DIR    gen_*.go for the Go module in bench/aws-scale/go (package main): one schema
                  function per resource, as terraform-plugin-codegen-framework writes them.
  --spec-out FILE the spec as JSON (for inspection; nothing reads it back).

The same seed gives byte-identical output, so rebuilding does not recompile unless this script
changes.  usage: generate.py [--resources N] [--seed S] [--cpp-out DIR] [--go-out DIR] ...
"""
from __future__ import annotations

import argparse
import json
import os
import random
from dataclasses import asdict, dataclass, field

PROVIDER = "awsscale"
DEFAULT_SEED = 20261203
DEFAULT_RESOURCES = 1500

# ---- Vocabulary (made up for this benchmark; cloud-flavoured so the sizes look realistic) -------

SERVICES = """
accessanalyzer acm amplify apigateway appconfig appflow appmesh apprunner appstream appsync athena
auditmanager autoscaling backup batch bedrock budgets chime cloud9 cloudcontrol cloudformation
cloudfront cloudhsm cloudsearch cloudtrail cloudwatch codeartifact codebuild codecommit codedeploy
codepipeline cognito comprehend config connect controltower datapipeline datasync dax detective
devicefarm directconnect dms docdb ds dynamodb ebs ec2 ecr ecs efs eks elasticache elasticbeanstalk
elasticsearch elb emr events evidently finspace firehose fis fms fsx gamelift glacier globalaccelerator
glue grafana guardduty iam identitystore imagebuilder inspector iot ivs kafka kendra keyspaces
kinesis kms lakeformation lambda lex licensemanager lightsail location macie mediaconvert medialive
memorydb mq neptune networkfirewall networkmanager opensearch organizations outposts pinpoint pipes
qldb quicksight ram rds redshift rekognition resourcegroups route53 rum s3 sagemaker scheduler
schemas secretsmanager securityhub servicecatalog servicediscovery ses sfn shield signer simpledb
sns sqs ssm sso storagegateway swf synthetics timestream transfer vpc waf wafv2 worklink workspaces
xray
""".split()

NOUNS = """
account alarm alias analyzer application approval archive association attachment authorizer
backup bucket build cache catalog certificate channel cluster collection component configuration
connection connector consumer dashboard database dataset delivery deployment destination detector
device directory discovery distribution document domain endpoint environment event experiment
export filter firewall fleet flow function gateway grant graph group handler hook identity image
index instance integration inventory job key layer listener log map member mesh model monitor
namespace network node notebook notification option origin parameter partition peering permission
pipeline placement plan policy pool portal profile project queue quota recipe record registry
replica replication repository report resolver resource role route rule run schedule schema
secret segment selection server service session share snapshot source stack stage standard
state stream subnet subscription table target task template testgrid theme thing topic trail
trigger trust user vault version view volume webhook workflow workgroup workspace zone
""".split()

QUALIFIERS = """
access acl alias assignment association attachment authorization binding config default
delegation endpoint entry export group import key link lock member option override peer
permission policy principal profile quota record replica rule setting share sharing tag
target template version
""".split()

ATTR_WORDS = """
action address algorithm allocation allowed arn association auto availability backup bandwidth
batch block bucket cache capacity certificate cidr client cluster code compression concurrency
condition connection consistency cooldown cpu credentials cross custom data database days default
delay delete deletion delivery description desired destination device disk display domain
duration enabled encryption endpoint engine environment evaluation event expiration family
filter format frequency generation grace group handler header health host http iam identifier
idle image include instance interval iops ip kms label language latency layer level lifecycle
limit listener location log maintenance managed master max memory message metric min mode
monitoring mount name namespace network node notification number object offset option origin
owner package parameter partition path pattern peer performance period permission platform
point policy pool port prefix principal priority private profile protocol provisioned public
queue quota rate reason record recovery redirect region replica replication request reserved
resource retention retry revision role root rotation rule runtime schedule scope secret
security segment selector sequence server service session shard size snapshot source stage
standby state statement status storage stream subnet suffix support table target task
template tenancy threshold throughput tier timeout timezone token topic traffic transit type
unit update url user value version visibility volume weight window zone
""".split()

ATTR_TAILS = "arn id ids name names count enabled type mode config size seconds minutes days".split()

DESC_WORDS = """
the a an of for to in on with when which that this is are be by from or and not if each any
all only resource value values attribute configuration identifier name number list set map
amazon service provider region account default maximum minimum allowed valid must may can will
defaults specified create created update updated delete deleted change changes forces new
enable enabled disable disabled settings setting behaviour instance cluster policy rule role
key encryption kms logging metrics monitoring access network subnet security group tags tag
arn unique string seconds minutes hours days percentage capacity limit retention period
version engine storage size type mode status time window maintenance backup snapshot replica
endpoint port protocol address certificate domain bucket object prefix path source target
destination user principal permission document json expression pattern format see docs
""".split()

# Names Terraform or the Go framework reserve at a resource's root (fwschema).
RESERVED = {"connection", "count", "depends_on", "for_each", "lifecycle", "provider",
            "provisioner", "id", "arn", "tags", "tags_all", "alias", "version"}

SENSITIVE_NAMES = ["password", "master_password", "secret_key", "auth_token", "private_key",
                   "client_secret", "api_key", "shared_secret", "key_material", "session_token"]

# ---- The spec ---------------------------------------------------------------------------------


@dataclass
class Attr:
    name: str
    type: str          # string | number | bool | list | set | map (collections hold strings)
    mode: str          # required | optional | optional_computed | computed
    sensitive: bool = False
    description: str = ""
    keep_state: bool = False  # use_state_for_unknown (the computed id)


@dataclass
class Block:
    name: str
    nesting: str       # list | set
    description: str = ""
    attrs: list[Attr] = field(default_factory=list)
    blocks: list["Block"] = field(default_factory=list)


@dataclass
class Resource:
    name: str          # without the provider prefix
    description: str
    attrs: list[Attr]
    blocks: list[Block]


@dataclass
class Provider:
    attrs: list[Attr]
    resources: list[Resource]


class Generator:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def sentence(self, lo: int, hi: int) -> str:
        n = self.r.randint(lo, hi)
        words = [self.r.choice(DESC_WORDS) for _ in range(n)]
        s = " ".join(words)
        return s[0].upper() + s[1:] + "."

    def maybe_description(self, p: float = 0.6) -> str:
        return self.sentence(5, 20) if self.r.random() < p else ""

    def attr_name(self, taken: set[str]) -> str:
        while True:
            k = self.r.choices([1, 2, 3], weights=[2, 5, 2])[0]
            words = [self.r.choice(ATTR_WORDS) for _ in range(k)]
            if self.r.random() < 0.3:
                words.append(self.r.choice(ATTR_TAILS))
            name = "_".join(words)
            if name not in taken and name not in RESERVED and len(set(words)) == len(words):
                taken.add(name)
                return name

    def plain_attr(self, taken: set[str], required_weight: float = 3.0) -> Attr:
        t = self.r.choices(["string", "number", "bool", "list", "set", "map"],
                           weights=[48, 16, 14, 8, 9, 5])[0]
        mode = self.r.choices(["required", "optional", "optional_computed", "computed"],
                              weights=[required_weight, 4.5, 1.0, 1.5])[0]
        return Attr(self.attr_name(taken), t, mode, description=self.maybe_description())

    def block(self, taken: set[str], depth: int) -> Block:
        b = Block(self.attr_name(taken), self.r.choices(["list", "set"], weights=[3, 1])[0],
                  description=self.maybe_description(0.5))
        inner: set[str] = set()
        n = self.r.randint(3, 8) if depth == 0 else self.r.randint(2, 5)
        b.attrs = [self.plain_attr(inner, required_weight=2.0) for _ in range(n)]
        if depth == 0 and self.r.random() < 0.3:
            b.blocks.append(self.block(inner, depth + 1))
        return b

    def resource(self, name: str) -> Resource:
        taken: set[str] = set()
        noun = name.split("_", 1)[1].replace("_", " ")
        attrs = [
            Attr("id", "string", "computed", description=f"The identifier of the {noun}.",
                 keep_state=True),
        ]
        if self.r.random() < 0.85:
            attrs.append(Attr("arn", "string", "computed",
                              description=f"Amazon Resource Name (ARN) of the {noun}."))
        count = max(18, min(44, round(self.r.gauss(28, 5))))
        while len(attrs) < count:
            attrs.append(self.plain_attr(taken))
        if self.r.random() < 0.3:
            s = self.r.choice(SENSITIVE_NAMES)
            if s not in taken:
                taken.add(s)
                attrs.append(Attr(s, "string", self.r.choice(["required", "optional"]),
                                  sensitive=True, description=self.maybe_description()))
        if self.r.random() < 0.75:
            attrs.append(Attr("tags", "map", "optional",
                              description="Key-value map of resource tags."))
            attrs.append(Attr("tags_all", "map", "computed",
                              description="Map of tags assigned to the resource, including "
                                          "those inherited from the provider default_tags."))
        blocks = [self.block(taken, 0) for _ in range(self.r.choices([1, 2], weights=[3, 2])[0])]
        return Resource(name, self.sentence(8, 24), attrs, blocks)

    def provider(self, n: int) -> Provider:
        names: list[str] = []
        seen: set[str] = set()
        while len(names) < n:
            svc = self.r.choice(SERVICES)
            parts = [svc, self.r.choice(NOUNS)]
            if self.r.random() < 0.45:
                parts.append(self.r.choice(QUALIFIERS))
            name = "_".join(parts)
            if name not in seen:
                seen.add(name)
                names.append(name)
        names.sort()
        config = [
            Attr("region", "string", "optional", description="The AWS region to manage."),
            Attr("profile", "string", "optional", description="Shared credentials profile."),
            Attr("access_key", "string", "optional", sensitive=True,
                 description="Access key id; the environment is used when unset."),
            Attr("secret_key", "string", "optional", sensitive=True,
                 description="Secret access key; the environment is used when unset."),
            Attr("max_retries", "number", "optional",
                 description="Retries of a throttled API call."),
            Attr("skip_credentials_validation", "bool", "optional",
                 description="Skip the STS GetCallerIdentity call at configuration."),
            Attr("allowed_account_ids", "set", "optional",
                 description="Refuse to run against other accounts."),
        ]
        return Provider(config, [self.resource(nm) for nm in names])


def stats(p: Provider) -> dict:
    def walk_block(b):
        a = len(b.attrs)
        bl = len(b.blocks)
        for c in b.blocks:
            x, y = walk_block(c)
            a += x
            bl += y
        return a, bl
    top = sum(len(r.attrs) for r in p.resources)
    total = blocks = 0
    for r in p.resources:
        a, b = walk_block(Block("", "list", attrs=r.attrs, blocks=r.blocks))
        total += a
        blocks += b
    return {"resources": len(p.resources), "top_level_attributes": top,
            "attributes_incl_nested": total, "nested_blocks": blocks,
            "attributes_per_resource": round(top / len(p.resources), 1)}


# ---- Output helpers ---------------------------------------------------------------------------

def quote(s: str) -> str:
    # Generated text is printable ASCII; json.dumps gives a literal valid in C++ and Go alike.
    assert all(32 <= ord(c) < 127 for c in s), s
    return json.dumps(s)


def write_if_changed(path: str, text: str) -> None:
    # Keeps timestamps of unchanged outputs, so ninja and go do not rebuild them.
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


# ---- C++: the table ---------------------------------------------------------------------------

TYPE_CODE = {"string": 0, "number": 1, "bool": 2, "list": 3, "set": 4, "map": 5}
NESTING_CODE = {"list": 0, "set": 1}
FLAG = {"required": 1, "optional": 2, "computed": 4, "sensitive": 8, "keep_state": 16}


def attr_flags(a: Attr) -> int:
    f = {"required": FLAG["required"], "optional": FLAG["optional"],
         "optional_computed": FLAG["optional"] | FLAG["computed"],
         "computed": FLAG["computed"]}[a.mode]
    if a.sensitive:
        f |= FLAG["sensitive"]
    if a.keep_state:
        f |= FLAG["keep_state"]
    return f


class StringPool:
    """Every distinct string once, NUL-terminated; offset 0 is the empty string."""

    def __init__(self):
        self.offsets: dict[str, int] = {"": 0}
        self.parts: list[str] = [""]
        self.size = 1

    def add(self, s: str) -> int:
        off = self.offsets.get(s)
        if off is None:
            off = self.size
            self.offsets[s] = off
            self.parts.append(s)
            self.size += len(s) + 1
        return off


def emit_cpp_table(p: Provider, out_dir: str) -> list[str]:
    pool = StringPool()
    # Resource names first and together: registration reads every one of them before the
    # handshake, and scattered among the descriptions they would page in the whole blob.
    for r in p.resources:
        pool.add(r.name)
    attrs: list[str] = []
    blocks: list[str] = []  # rows, in index order
    resources: list[str] = []

    def attr_rows(xs: list[Attr]) -> int:
        first = len(attrs)
        for a in xs:
            attrs.append(f"{{{pool.add(a.name)},{pool.add(a.description)},"
                         f"{TYPE_CODE[a.type]},{attr_flags(a)}}}")
        return first

    # A block's children take consecutive rows, so a row names them by (first, count).
    def place(b: Block, index: int) -> None:
        first_attr = attr_rows(b.attrs)
        first_block = len(blocks)
        blocks.extend([""] * len(b.blocks))
        for i, c in enumerate(b.blocks):
            place(c, first_block + i)
        blocks[index] = (f"{{{pool.add(b.name)},{pool.add(b.description)},{first_attr},"
                         f"{first_block},{len(b.attrs)},{len(b.blocks)},"
                         f"{NESTING_CODE[b.nesting]}}}")

    for r in p.resources:
        root = len(blocks)
        blocks.append("")
        place(Block(r.name, "list", r.description, r.attrs, r.blocks), root)
        resources.append(f"{{{pool.add(r.name)},{root}}}")

    def rows(xs: list[str], per_line: int = 8) -> str:
        return "\n".join(",".join(xs[i:i + per_line]) + ","
                         for i in range(0, len(xs), per_line))

    # One literal per string: "\0" then a digit in the same literal would be an octal escape.
    blob = "\n".join(quote(s)[:-1] + '\\0"' for s in pool.parts[1:])
    text = f"""// Generated by bench/aws-scale/generate.py; do not edit.
// {len(p.resources)} resources, {len(attrs)} attribute rows, {len(blocks)} block rows,
// {pool.size} bytes of strings.
#include "awsscale_table.hpp"

namespace awsscale {{
namespace {{

constexpr char k_strings[] =
"\\0"
{blob};

constexpr attr_row k_attrs[] = {{
{rows(attrs)}
}};

constexpr block_row k_blocks[] = {{
{rows(blocks)}
}};

constexpr resource_row k_resources[] = {{
{rows(resources)}
}};

}}  // namespace

extern const table k_table = {{
    k_strings, sizeof k_strings, k_attrs, sizeof k_attrs / sizeof k_attrs[0],
    k_blocks, sizeof k_blocks / sizeof k_blocks[0], k_resources,
    sizeof k_resources / sizeof k_resources[0]}};

}}  // namespace awsscale
"""
    path = os.path.join(out_dir, "awsscale_table.cpp")
    write_if_changed(path, text)
    return [path]


# ---- C++: one schema_builder function per resource ---------------------------------------------

CPP_TYPE = {"string": "t_string", "number": "t_number", "bool": "t_bool", "list": "t_list",
            "set": "t_set", "map": "t_map"}


def cpp_flags(a: Attr) -> str:
    f = {"required": ["req"], "optional": ["opt"], "optional_computed": ["opt", "comp"],
         "computed": ["comp"]}[a.mode]
    if a.sensitive:
        f.append("sens")
    if a.keep_state:
        f.append("keep")
    return " | ".join(f)


def emit_cpp_code(p: Provider, out_dir: str, per_file: int) -> list[str]:
    paths = []
    chunks = [p.resources[i:i + per_file] for i in range(0, len(p.resources), per_file)]
    for n, chunk in enumerate(chunks):
        lines = ["// Generated by bench/aws-scale/generate.py; do not edit.",
                 '#include "awsscale_code.hpp"', "", "namespace awsscale::code {", ""]
        for r in chunk:
            counter = [0]

            def body(b: Block, var: str, indent: str) -> None:
                if b.description:
                    lines.append(f"{indent}{var}.description({quote(b.description)});")
                for a in b.attrs:
                    lines.append(f"{indent}add_attribute({var}, {quote(a.name)}, "
                                 f"{CPP_TYPE[a.type]}(), {cpp_flags(a)}, {quote(a.description)});")
                for c in b.blocks:
                    counter[0] += 1
                    cv = f"b{counter[0]}"
                    lines.append(f"{indent}{{")
                    lines.append(f"{indent}  fw::schema_builder {cv};")
                    body(Block(c.name, c.nesting, "", c.attrs, c.blocks), cv, indent + "  ")
                    lines.append(f"{indent}  add_block({var}, {quote(c.name)}, fw::nesting::"
                                 f"{c.nesting}, {cv}, {quote(c.description)});")
                    lines.append(f"{indent}}}")

            lines.append(f"fw::schema_builder schema_{r.name}() {{")
            lines.append("  fw::schema_builder b0;")
            body(Block(r.name, "list", r.description, r.attrs, r.blocks), "b0", "  ")
            lines.append("  return b0;")
            lines.append("}")
            lines.append("")
        lines.append("}  // namespace awsscale::code")
        path = os.path.join(out_dir, f"awsscale_code_{n:02d}.cpp")
        write_if_changed(path, "\n".join(lines) + "\n")
        paths.append(path)
    reg = ["// Generated by bench/aws-scale/generate.py; do not edit.",
           '#include "awsscale_code.hpp"', "", "namespace awsscale::code {", ""]
    for r in p.resources:
        reg.append(f"fw::schema_builder schema_{r.name}();")
    reg += ["", "extern const entry k_entries[] = {"]
    reg += [f"    {{{quote(r.name)}, &schema_{r.name}}}," for r in p.resources]
    reg += ["};", f"extern const std::size_t k_entry_count = {len(p.resources)};", "",
            "}  // namespace awsscale::code", ""]
    path = os.path.join(out_dir, "awsscale_code_registry.cpp")
    write_if_changed(path, "\n".join(reg))
    paths.append(path)
    return paths


# ---- Go -----------------------------------------------------------------------------------------

GO_ATTR = {"string": "StringAttribute", "number": "Int64Attribute", "bool": "BoolAttribute",
           "list": "ListAttribute", "set": "SetAttribute", "map": "MapAttribute"}
GO_BLOCK = {"list": "ListNestedBlock", "set": "SetNestedBlock"}


def go_attr(a: Attr, indent: str) -> list[str]:
    out = [f"{indent}{quote(a.name)}: schema.{GO_ATTR[a.type]}{{"]
    i = indent + "\t"
    if a.type in ("list", "set", "map"):
        out.append(f"{i}ElementType: types.StringType,")
    if a.mode == "required":
        out.append(f"{i}Required: true,")
    if a.mode in ("optional", "optional_computed"):
        out.append(f"{i}Optional: true,")
    if a.mode in ("computed", "optional_computed"):
        out.append(f"{i}Computed: true,")
    if a.sensitive:
        out.append(f"{i}Sensitive: true,")
    if a.description:
        out.append(f"{i}Description: {quote(a.description)},")
    if a.keep_state:
        out.append(f"{i}PlanModifiers: []planmodifier.String{{"
                   f"stringplanmodifier.UseStateForUnknown()}},")
    out.append(f"{indent}}},")
    return out


def go_block_contents(b: Block, indent: str) -> list[str]:
    out = [f"{indent}Attributes: map[string]schema.Attribute{{"]
    for a in b.attrs:
        out += go_attr(a, indent + "\t")
    out.append(f"{indent}}},")
    if b.blocks:
        out.append(f"{indent}Blocks: map[string]schema.Block{{")
        for c in b.blocks:
            i = indent + "\t"
            out.append(f"{i}{quote(c.name)}: schema.{GO_BLOCK[c.nesting]}{{")
            if c.description:
                out.append(f"{i}\tDescription: {quote(c.description)},")
            out.append(f"{i}\tNestedObject: schema.NestedBlockObject{{")
            out += go_block_contents(c, i + "\t\t")
            out.append(f"{i}\t}},")
            out.append(f"{i}}},")
        out.append(f"{indent}}},")
    return out


def emit_go(p: Provider, out_dir: str, per_file: int) -> list[str]:
    paths = []
    chunks = [p.resources[i:i + per_file] for i in range(0, len(p.resources), per_file)]
    header = "// Code generated by bench/aws-scale/generate.py; DO NOT EDIT.\n\npackage main\n"
    for n, chunk in enumerate(chunks):
        lines = [header, "import (",
                 '\t"github.com/hashicorp/terraform-plugin-framework/resource/schema"',
                 '\t"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"',
                 '\t"github.com/hashicorp/terraform-plugin-framework/resource/schema/'
                 'stringplanmodifier"',
                 '\t"github.com/hashicorp/terraform-plugin-framework/types"', ")", "",
                 "// Referenced by every file, so no import is ever unused.",
                 f"var _ = types.StringType", ""]
        for r in chunk:
            lines.append(f"func schema_{r.name}() schema.Schema {{")
            lines.append("\treturn schema.Schema{")
            lines.append(f"\t\tDescription: {quote(r.description)},")
            lines += go_block_contents(Block(r.name, "list", "", r.attrs, r.blocks), "\t\t")
            lines.append("\t}")
            lines.append("}")
            lines.append("")
        path = os.path.join(out_dir, f"gen_{n:02d}.go")
        write_if_changed(path, "\n".join(lines))
        paths.append(path)
    reg = [header, "// resourceDefs lists every resource type, sorted by name.",
           "var resourceDefs = []resourceDef{"]
    reg += [f"\t{{{quote(r.name)}, schema_{r.name}}}," for r in p.resources]
    reg.append("}")
    reg.append("")
    path = os.path.join(out_dir, "gen_registry.go")
    write_if_changed(path, "\n".join(reg))
    paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--resources", type=int, default=DEFAULT_RESOURCES)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--cpp-out")
    ap.add_argument("--cpp-style", choices=["table", "code"], default="table")
    ap.add_argument("--cpp-per-file", type=int, default=100, help="resources per file (code)")
    ap.add_argument("--go-out")
    ap.add_argument("--go-per-file", type=int, default=100)
    ap.add_argument("--spec-out")
    ap.add_argument("--stats", action="store_true", help="print the spec's counts as JSON")
    a = ap.parse_args()
    spec = Generator(a.seed).provider(a.resources)
    if a.cpp_out:
        os.makedirs(a.cpp_out, exist_ok=True)
        if a.cpp_style == "table":
            emit_cpp_table(spec, a.cpp_out)
        else:
            emit_cpp_code(spec, a.cpp_out, a.cpp_per_file)
    if a.go_out:
        os.makedirs(a.go_out, exist_ok=True)
        emit_go(spec, a.go_out, a.go_per_file)
    if a.spec_out:
        write_if_changed(a.spec_out, json.dumps(asdict(spec), indent=1) + "\n")
    if a.stats:
        print(json.dumps(stats(spec)))


if __name__ == "__main__":
    main()
