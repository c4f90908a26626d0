using k8s;
using k8s.Models;

namespace AiServer.Tests.Operations.Keda;

/// <summary>KEDA's <c>keda.sh/v1alpha1</c> ScaledObject, the fields our manifests use; the strict YAML loader rejects any other.</summary>
public sealed class ScaledObject : IKubernetesObject<V1ObjectMeta>
{
    public const string ApiGroupVersion = "keda.sh/v1alpha1";

    public string ApiVersion { get; set; } = null!;

    public string Kind { get; set; } = null!;

    public V1ObjectMeta Metadata { get; set; } = null!;

    public ScaledObjectSpec Spec { get; set; } = null!;
}
