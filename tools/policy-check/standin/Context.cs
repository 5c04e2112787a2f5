// A typed stand-in for what APIM policy expressions can see: the `context` variable and the
// extension methods of the "API Management policy expressions" reference page (section
// "Context variable"). Only the shapes are modelled; nothing here runs. The checker compiles
// every expression against these types, so a member the page does not list fails to compile.
using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;

namespace Apim.StandIn
{
    public interface IProxyRequestContext
    {
        IApi Api { get; }
        IDeployment Deployment { get; }
        TimeSpan Elapsed { get; }
        ILastError LastError { get; }
        IOperation Operation { get; }
        IProduct Product { get; }
        IRequest Request { get; }
        Guid RequestId { get; }
        IResponse Response { get; }
        ISubscription Subscription { get; }
        DateTime Timestamp { get; }
        bool Tracing { get; }
        IUser User { get; }
        IVariables Variables { get; }
        void Trace(string message);
    }

    public interface IApi
    {
        string Id { get; }
        bool IsCurrentRevision { get; }
        string Name { get; }
        string Path { get; }
        IEnumerable<string> Protocols { get; }
        string Revision { get; }
        IUrl ServiceUrl { get; }
        ISubscriptionKeyParameterNames SubscriptionKeyParameterNames { get; }
        string Version { get; }
    }

    public interface IDeployment
    {
        string GatewayId { get; }
        string Region { get; }
        string ServiceName { get; }
        IReadOnlyDictionary<string, X509Certificate2> Certificates { get; }
    }

    public interface ILastError
    {
        string Source { get; }
        string Reason { get; }
        string Message { get; }
        string Scope { get; }
        string Section { get; }
        string Path { get; }
        string PolicyId { get; }
    }

    public interface IOperation
    {
        string Id { get; }
        string Method { get; }
        string Name { get; }
        string UrlTemplate { get; }
    }

    public enum ProductState
    {
        NotPublished,
        Published,
    }

    public interface IProduct
    {
        IEnumerable<IApi> Apis { get; }
        bool ApprovalRequired { get; }
        IEnumerable<IGroup> Groups { get; }
        string Id { get; }
        string Name { get; }
        ProductState State { get; }
        int? SubscriptionLimit { get; }
        bool SubscriptionRequired { get; }
    }

    /// <summary>Headers and query parameters: a dictionary with the documented GetValueOrDefault.</summary>
    public interface IValues : IReadOnlyDictionary<string, string[]>
    {
        /// <summary>Comma-separated values, or <paramref name="defaultValue"/> when absent.</summary>
        string GetValueOrDefault(string name, string defaultValue);
    }

    public interface IMessageBody
    {
        /// <summary>T: string, byte[], JObject, JToken, JArray, XNode, XElement, XDocument (checked).</summary>
        T As<T>(bool preserveContent = false);
    }

    public interface IPrivateEndpointConnection
    {
        string Name { get; }
        string GroupId { get; }
        string MemberName { get; }
    }

    public interface IRequest
    {
        IMessageBody Body { get; }
        X509Certificate2 Certificate { get; }
        IValues Headers { get; }
        string IpAddress { get; }
        IReadOnlyDictionary<string, string> MatchedParameters { get; }
        string Method { get; }
        IUrl OriginalUrl { get; }
        IUrl Url { get; }
        IPrivateEndpointConnection PrivateEndpointConnection { get; }
    }

    public interface IResponse
    {
        IMessageBody Body { get; }
        IValues Headers { get; }
        int StatusCode { get; }
        string StatusReason { get; }
    }

    public interface ISubscription
    {
        DateTime CreatedDate { get; }
        DateTime? EndDate { get; }
        string Id { get; }
        string Key { get; }
        string Name { get; }
        string PrimaryKey { get; }
        string SecondaryKey { get; }
        DateTime? StartDate { get; }
    }

    public interface IGroup
    {
        string Id { get; }
        string Name { get; }
    }

    public interface IUserIdentity
    {
        string Id { get; }
        string Provider { get; }
    }

    public interface IUser
    {
        string Email { get; }
        string FirstName { get; }
        IEnumerable<IGroup> Groups { get; }
        string Id { get; }
        IEnumerable<IUserIdentity> Identities { get; }
        string LastName { get; }
        string Note { get; }
        DateTime RegistrationDate { get; }
    }

    public interface IUrl
    {
        string Host { get; }
        string Path { get; }
        int Port { get; }
        IValues Query { get; }
        string QueryString { get; }
        string Scheme { get; }
    }

    public interface ISubscriptionKeyParameterNames
    {
        string Header { get; }
        string Query { get; }
    }

    public interface IVariables : IReadOnlyDictionary<string, object>
    {
        /// <summary>The variable cast to T, or <paramref name="defaultValue"/> when absent.</summary>
        T GetValueOrDefault<T>(string variableName, T defaultValue = default(T));
    }

    public sealed class BasicAuthCredentials
    {
        public string Password { get; }
        public string UserId { get; }
    }

    public sealed class Jwt
    {
        public string Algorithm { get; }
        public IEnumerable<string> Audiences { get; }
        public IValues Claims { get; }
        public DateTime? ExpirationTime { get; }
        public string Id { get; }
        public string Issuer { get; }
        public DateTime? IssuedAt { get; }
        public DateTime? NotBefore { get; }
        public string Subject { get; }
        public string Type { get; }
    }

    public static class PolicyExtensions
    {
        public static BasicAuthCredentials AsBasic(this string input) => null;
        public static bool TryParseBasic(this string input, out BasicAuthCredentials result)
        {
            result = null;
            return false;
        }
        public static Jwt AsJwt(this string input) => null;
        public static bool TryParseJwt(this string input, out Jwt result)
        {
            result = null;
            return false;
        }
    }
}
