// Compiles the policy expressions with Roslyn and checks every symbol they use against the
// allowed list. Each expression becomes one static method whose parameter is the stand-in
// `context`; `#line` maps compiler errors back to the policy file.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PolicyCheck;

internal static class ExpressionCompiler
{
    /// <summary>The namespaces an expression can use without qualifying (the reference page's examples).</summary>
    private static readonly string[] Usings =
    {
        "System", "System.Collections.Generic", "System.Linq", "System.Text", "System.Text.RegularExpressions",
        "System.Xml.Linq", "System.Net", "System.Security.Cryptography", "Newtonsoft.Json", "Newtonsoft.Json.Linq",
        "Apim.StandIn",
    };

    /// <summary>Type arguments IMessageBody.As&lt;T&gt; accepts (reference page, IMessageBody).</summary>
    private static readonly HashSet<string> BodyTypes = new(StringComparer.Ordinal)
    {
        "System.String", "System.Byte[]", "Newtonsoft.Json.Linq.JObject", "Newtonsoft.Json.Linq.JToken",
        "Newtonsoft.Json.Linq.JArray", "System.Xml.Linq.XNode", "System.Xml.Linq.XElement", "System.Xml.Linq.XDocument",
    };

    public static IEnumerable<Problem> Check(IReadOnlyList<PolicyExpression> expressions)
    {
        var source = new StringBuilder();
        foreach (var u in Usings) source.Append("using ").Append(u).AppendLine(";");
        source.AppendLine("internal static class __PolicyExpressions {");
        // Generated lines of each method, for errors outside the #line-mapped code (a missing return).
        var ranges = new List<(int From, int To)>();
        int Lines() => source.ToString().Count(c => c == '\n');
        for (int i = 0; i < expressions.Count; i++)
        {
            int from = Lines() + 1;
            var e = expressions[i];
            string code = e.Text.Substring(2, e.Text.Length - 3);
            string type = e.IsCondition ? "bool" : "object";
            source.AppendLine($"static {type} E{i}(IProxyRequestContext context) {{");
            source.AppendLine($"#line {e.Line} \"{e.File}\"");
            source.AppendLine(e.Text[1] == '(' ? $"return ({code});" : code);
            source.AppendLine("#line default");
            source.AppendLine("}");
            ranges.Add((from, Lines()));
        }
        source.AppendLine("}");

        var options = new CSharpParseOptions(LanguageVersion.CSharp7_3);
        var tree = CSharpSyntaxTree.ParseText(source.ToString(), options, path: "expressions.cs");
        var standIn = CSharpSyntaxTree.ParseText(StandInSource(), options, path: "standin/Context.cs");
        var compilation = CSharpCompilation.Create(
            "policy-expressions",
            new[] { tree, standIn },
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));

        var problems = new List<Problem>();
        foreach (var d in compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
        {
            var span = d.Location.GetMappedLineSpan();
            int line = span.StartLinePosition.Line + 1;
            int owner = span.Path == "expressions.cs" ? ranges.FindIndex(r => r.From <= line && line <= r.To) : -1;
            if (owner >= 0)
            {
                var e = expressions[owner];
                problems.Add(new Problem(e.File, e.Line, e.Column, d.Id, $"{e.Where}: {d.GetMessage()}"));
            }
            else
                problems.Add(new Problem(span.Path, line, span.StartLinePosition.Character + 1, d.Id, d.GetMessage()));
        }
        var model = compilation.GetSemanticModel(tree);
        var methods = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().ToList();
        for (int i = 0; i < methods.Count && i < expressions.Count; i++)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in methods[i].Body.DescendantNodes())
            {
                if (node is not (SimpleNameSyntax or MemberAccessExpressionSyntax or ObjectCreationExpressionSyntax
                    or ElementAccessExpressionSyntax or PredefinedTypeSyntax or CastExpressionSyntax or QualifiedNameSyntax))
                    continue;
                var symbol = model.GetSymbolInfo(node).Symbol;
                if (symbol == null) continue;
                foreach (var why in Disallowed(symbol))
                {
                    if (!seen.Add(why)) continue;
                    var e = expressions[i];
                    problems.Add(new Problem(e.File, e.Line, e.Column, "T001", $"{e.Where}: {why} is not allowed in APIM policy expressions (see the allowed types of the policy expressions reference)"));
                }
            }
        }
        return problems;
    }

    /// <summary>Why a symbol is outside the allowed list (nothing when it is allowed).</summary>
    private static IEnumerable<string> Disallowed(ISymbol symbol)
    {
        switch (symbol)
        {
            case IMethodSymbol m when m.MethodKind is MethodKind.LambdaMethod or MethodKind.LocalFunction:
                yield break;
            case IMethodSymbol m:
            {
                var method = m.ReducedFrom ?? m;
                string member = method.MethodKind == MethodKind.Constructor ? "(Constructor)" : method.Name;
                bool operatorLike = method.MethodKind is MethodKind.UserDefinedOperator or MethodKind.Conversion or MethodKind.BuiltinOperator;
                foreach (var w in TypeProblems(method.ContainingType, operatorLike ? null : member)) yield return w;
                foreach (var t in m.TypeArguments)
                    foreach (var w in TypeProblems(t, null)) yield return w;
                if (method.Name == "As" && method.ContainingType?.Name == "IMessageBody" && m.TypeArguments.Length == 1
                    && !BodyTypes.Contains(Display(m.TypeArguments[0])))
                    yield return $"Body.As<{m.TypeArguments[0].ToDisplayString()}>() (As<T> takes string, byte[], JObject, JToken, JArray, XNode, XElement or XDocument)";
                yield break;
            }
            case IPropertySymbol p:
                foreach (var w in TypeProblems(p.ContainingType, p.IsIndexer ? "Item" : p.Name)) yield return w;
                yield break;
            case IFieldSymbol f:
                foreach (var w in TypeProblems(f.ContainingType, f.Name)) yield return w;
                yield break;
            case ITypeSymbol t:
                foreach (var w in TypeProblems(t, null)) yield return w;
                yield break;
        }
    }

    private static IEnumerable<string> TypeProblems(ITypeSymbol type, string member)
    {
        if (type == null) yield break;
        if (type is IArrayTypeSymbol array)
        {
            foreach (var w in TypeProblems(array.ElementType, null)) yield return w;
            yield break;
        }
        if (type is not INamedTypeSymbol named) yield break;
        if (named.ContainingNamespace?.ToDisplayString() == "Apim.StandIn" || named.Name == "__PolicyExpressions") yield break;
        foreach (var argument in named.TypeArguments)
            foreach (var w in TypeProblems(argument, null)) yield return w;
        string name = MetadataName(named.OriginalDefinition);
        if (name == "System.Object")
        {
            // The root type: its members are inherited by every allowed type; GetType() would reach System.Type.
            if (member != null && member is not ("ToString" or "Equals" or "GetHashCode" or "ReferenceEquals"))
                yield return $"System.Object.{member}";
            yield break;
        }
        if (name is "System.Void" or "System.Nullable`1" || name.StartsWith("System.Tuple`", StringComparison.Ordinal))
            yield break;
        if (!AllowedTypes.Members.TryGetValue(name, out var allowed))
        {
            yield return name;
            yield break;
        }
        if (member == null || allowed == "All") yield break;
        if (allowed.StartsWith("All except ", StringComparison.Ordinal))
        {
            if (allowed.Substring("All except ".Length).Split(',').Select(s => s.Trim()).Contains(member))
                yield return $"{name}.{member}";
            yield break;
        }
        if (!allowed.Split(',').Select(s => s.Trim()).Contains(member))
            yield return $"{name}.{member}";
    }

    private static string MetadataName(INamedTypeSymbol type)
    {
        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        var nesting = new List<string>();
        for (var t = type; t != null; t = t.ContainingType) nesting.Insert(0, t.MetadataName);
        return ns + string.Join("+", nesting);
    }

    private static string Display(ITypeSymbol type) =>
        type is IArrayTypeSymbol a ? Display(a.ElementType) + "[]" : type is INamedTypeSymbol n ? MetadataName(n) : type.ToDisplayString();

    private static IEnumerable<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return platform.Append(typeof(Newtonsoft.Json.Linq.JObject).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(p => MetadataReference.CreateFromFile(p));
    }

    private static string StandInSource()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Context.cs")
            ?? throw new InvalidOperationException("The stand-in Context.cs is not embedded in the tool.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
