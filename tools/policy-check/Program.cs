// policy-check: what APIM only finds when a request runs a policy, found before deployment.
//
//   dotnet policy-check.dll --policies <dir> [--snapshots <dir>]
//
// 1. Every @(...) / @{...} in the policy files, decoded as APIM decodes the XML (entities
//    resolved, attribute values normalised: newlines become spaces), is compiled as C# 7.3 with
//    Roslyn against the typed stand-in of `context` (standin/Context.cs) and Newtonsoft.Json.
// 2. Every type and member an expression uses must be on APIM's allowed list (AllowedTypes.cs).
// 3. Lint rules: no `//` comment inside an attribute expression (L001); nothing in outbound
//    after an unconditional return-response in inbound (L002); every fragment-id resolves
//    (L003); every backend-id resolves (L004). With --snapshots, L002-L004 are checked per
//    configuration on what `bicep snapshot` predicts will be deployed.
// Prints one line per problem (file:line:column: error CODE: message) and exits 1 when any.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace PolicyCheck;

internal static class Program
{
    private static int Main(string[] args)
    {
        string policies = Option(args, "--policies");
        string snapshots = Option(args, "--snapshots");
        if (policies == null)
        {
            Console.Error.WriteLine("Usage: policy-check --policies <dir> [--snapshots <dir>]");
            return 2;
        }
        var problems = new List<Problem>();
        var files = Directory.GetFiles(policies, "*.xml", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var expressions = new List<PolicyExpression>();
        var documents = new Dictionary<string, XDocument>();
        foreach (var file in files)
        {
            string shown = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(policies)) ?? ".", file).Replace('\\', '/');
            XDocument doc;
            try
            {
                doc = XDocument.Parse(File.ReadAllText(file), LoadOptions.SetLineInfo);
            }
            catch (XmlException e)
            {
                problems.Add(new Problem(shown, e.LineNumber, e.LinePosition, "X001", $"not well-formed XML: {e.Message}"));
                continue;
            }
            documents[shown] = doc;
            expressions.AddRange(Expressions.Extract(shown, doc));
        }
        problems.AddRange(ExpressionCompiler.Check(expressions));
        problems.AddRange(Lint.AttributeComments(expressions));
        problems.AddRange(Lint.Files(documents));
        int configurations = 0;
        if (snapshots != null)
        {
            foreach (var snapshot in Directory.GetFiles(snapshots, "*.main.snapshot.json").OrderBy(f => f, StringComparer.Ordinal))
            {
                configurations += 1;
                problems.AddRange(Lint.Snapshot(Path.GetFileName(snapshot), JsonDocument.Parse(File.ReadAllText(snapshot))));
            }
        }
        foreach (var p in problems.OrderBy(p => p.File, StringComparer.Ordinal).ThenBy(p => p.Line))
            Console.WriteLine($"{p.File}:{p.Line}:{p.Column}: error {p.Code}: {p.Message}");
        Console.WriteLine(
            $"policy check: {expressions.Count} expression(s) in {files.Count} file(s) compiled with Roslyn"
            + (snapshots != null ? $", {configurations} snapshot configuration(s) linted" : "")
            + $", {problems.Count} problem(s)");
        return problems.Count == 0 ? 0 : 1;
    }

    private static string Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

/// <summary>One finding, printed as file:line:column: error CODE: message.</summary>
internal sealed record Problem(string File, int Line, int Column, string Code, string Message);

/// <summary>An expression as APIM sees it after parsing the XML.</summary>
internal sealed record PolicyExpression(
    string File,
    int Line,
    int Column,
    string Where,
    bool InAttribute,
    bool IsCondition,
    string Text);

internal static class Expressions
{
    /// <summary>Every attribute value and text-only element whose value is @(...) or @{...}.</summary>
    public static IEnumerable<PolicyExpression> Extract(string file, XDocument doc)
    {
        foreach (var element in doc.Descendants())
        {
            var info = (IXmlLineInfo)element;
            foreach (var attribute in element.Attributes())
            {
                // XmlReader has already normalised the value (XML 1.0, 3.3.3), as APIM's parser does.
                string value = attribute.Value.Trim();
                if (IsExpression(value))
                {
                    var a = (IXmlLineInfo)attribute;
                    yield return new PolicyExpression(file, a.LineNumber, a.LinePosition, $"<{element.Name.LocalName} {attribute.Name.LocalName}>", true, attribute.Name.LocalName == "condition", value);
                }
            }
            if (!element.HasElements)
            {
                string text = element.Value.Trim();
                if (IsExpression(text))
                    yield return new PolicyExpression(file, info.LineNumber, info.LinePosition, $"<{element.Name.LocalName}>", false, false, text);
            }
        }
    }

    public static bool IsExpression(string value) =>
        (value.StartsWith("@(", StringComparison.Ordinal) && value.EndsWith(")", StringComparison.Ordinal))
        || (value.StartsWith("@{", StringComparison.Ordinal) && value.EndsWith("}", StringComparison.Ordinal));
}

internal static class Lint
{
    /// <summary>L001: a `//` comment in an attribute swallows the rest of the expression once newlines are spaces.</summary>
    public static IEnumerable<Problem> AttributeComments(IEnumerable<PolicyExpression> expressions)
    {
        foreach (var e in expressions.Where(e => e.InAttribute))
        {
            var tokens = Microsoft.CodeAnalysis.CSharp.SyntaxFactory.ParseTokens(e.Text.Substring(2, e.Text.Length - 3));
            bool comment = tokens.Any(t => t.LeadingTrivia.Concat(t.TrailingTrivia).Any(tr => (Microsoft.CodeAnalysis.CSharp.SyntaxKind)tr.RawKind == Microsoft.CodeAnalysis.CSharp.SyntaxKind.SingleLineCommentTrivia));
            if (comment)
                yield return new Problem(e.File, e.Line, e.Column, "L001", $"{e.Where} has a // comment: attribute values lose their newlines when APIM parses them, so the comment swallows the rest of the expression; use /* */ or move the code into an element");
        }
    }

    /// <summary>L002 within one file, L003 against the fragments folder.</summary>
    public static IEnumerable<Problem> Files(IReadOnlyDictionary<string, XDocument> documents)
    {
        var fragmentIds = new HashSet<string>(
            documents.Keys.Where(k => k.Contains("/fragments/", StringComparison.Ordinal))
                .Select(k => Path.GetFileNameWithoutExtension(k)), StringComparer.Ordinal);
        foreach (var (file, doc) in documents)
        {
            var root = doc.Root;
            if (root == null) continue;
            if (root.Name.LocalName == "policies")
            {
                foreach (var p in OutboundAfterReturn(file, root.Element("inbound"), root.Element("outbound"), $"{file}"))
                    yield return p;
            }
            foreach (var include in root.Descendants("include-fragment"))
            {
                string id = (string)include.Attribute("fragment-id") ?? "";
                if (!fragmentIds.Contains(id))
                    yield return At(file, include, "L003", $"include-fragment fragment-id=\"{id}\" has no fragments/{id}.xml");
            }
        }
    }

    /// <summary>L002-L004 on what one configuration deploys (a main.bicep snapshot).</summary>
    public static IEnumerable<Problem> Snapshot(string name, JsonDocument snapshot)
    {
        var resources = snapshot.RootElement.GetProperty("predictedResources").EnumerateArray().ToList();
        string Type(JsonElement r) => r.GetProperty("type").GetString();
        string[] Names(JsonElement r) => r.GetProperty("name").GetString().Split('/');
        XElement Policy(JsonElement r) => XDocument.Parse(r.GetProperty("properties").GetProperty("value").GetString()).Root;
        var fragments = resources.Where(r => Type(r) == "Microsoft.ApiManagement/service/policyFragments").ToDictionary(r => Names(r)[1], Policy);
        var backends = new HashSet<string>(resources.Where(r => Type(r) == "Microsoft.ApiManagement/service/backends").Select(r => Names(r)[1]));
        var apiPolicies = resources.Where(r => Type(r) == "Microsoft.ApiManagement/service/apis/policies").ToDictionary(r => Names(r)[1], Policy);
        var opPolicies = resources.Where(r => Type(r) == "Microsoft.ApiManagement/service/apis/operations/policies").ToDictionary(r => $"{Names(r)[1]}/{Names(r)[2]}", Policy);
        var operations = resources.Where(r => Type(r) == "Microsoft.ApiManagement/service/apis/operations").Select(r => (Api: Names(r)[1], Op: Names(r)[2]));
        var all = apiPolicies.Values.Concat(opPolicies.Values).Concat(fragments.Values).ToList();
        foreach (var policy in all)
        {
            foreach (var include in policy.Descendants("include-fragment"))
            {
                string id = (string)include.Attribute("fragment-id") ?? "";
                if (!fragments.ContainsKey(id))
                    yield return new Problem(name, 0, 0, "L003", $"a deployed policy includes fragment '{id}', which this configuration does not deploy");
            }
            foreach (var set in policy.Descendants("set-backend-service"))
            {
                string id = (string)set.Attribute("backend-id");
                if (id != null && !backends.Contains(id))
                    yield return new Problem(name, 0, 0, "L004", $"a deployed policy sets backend-id '{id}', which this configuration does not deploy");
            }
        }
        foreach (var (api, op) in operations)
        {
            apiPolicies.TryGetValue(api, out var apiPolicy);
            opPolicies.TryGetValue($"{api}/{op}", out var opPolicy);
            var inbound = Merge(opPolicy?.Element("inbound"), apiPolicy?.Element("inbound"), fragments);
            var outbound = Merge(opPolicy?.Element("outbound"), apiPolicy?.Element("outbound"), fragments);
            foreach (var p in OutboundAfterReturn(name, inbound, outbound, $"operation {op} of API {api}"))
                yield return p;
        }
    }

    /// <summary>The effective section: the operation's, with &lt;base/&gt; replaced by the API's and fragments inlined.</summary>
    private static XElement Merge(XElement operation, XElement api, IReadOnlyDictionary<string, XElement> fragments)
    {
        var section = new XElement("section");
        void Add(IEnumerable<XElement> elements, XElement outer)
        {
            foreach (var e in elements)
            {
                if (e.Name.LocalName == "base")
                {
                    if (outer != null) Add(outer.Elements(), null);
                }
                else if (e.Name.LocalName == "include-fragment" && fragments.TryGetValue((string)e.Attribute("fragment-id") ?? "", out var fragment))
                    Add(fragment.Elements(), null);
                else section.Add(e);
            }
        }
        Add((operation ?? api ?? new XElement("none")).Elements(), operation != null ? api : null);
        return section;
    }

    /// <summary>L002: return-response cancels the pipeline, so outbound steps never run.</summary>
    private static IEnumerable<Problem> OutboundAfterReturn(string file, XElement inbound, XElement outbound, string what)
    {
        // Only an unconditional return-response (not inside choose) ends every request.
        bool returns = inbound != null && inbound.Elements().Any(e => e.Name.LocalName == "return-response");
        if (!returns || outbound == null) yield break;
        foreach (var step in outbound.Elements().Where(e => e.Name.LocalName != "base" && e.Name.LocalName != "include-fragment"))
            yield return At(file, step, "L002", $"<{step.Name.LocalName}{Describe(step)}> in outbound never runs for {what}: return-response in inbound ends the pipeline; set it inside return-response");
    }

    private static string Describe(XElement e) => e.Attribute("name") is { } n ? $" name=\"{n.Value}\"" : "";

    private static Problem At(string file, XObject node, string code, string message)
    {
        var info = (IXmlLineInfo)node;
        return new Problem(file, info.HasLineInfo() ? info.LineNumber : 0, info.HasLineInfo() ? info.LinePosition : 0, code, message);
    }
}
