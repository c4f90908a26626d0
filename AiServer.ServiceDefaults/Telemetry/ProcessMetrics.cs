using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>
/// The process instruments the seeds' alerts and dashboards read: <c>process_uptime_seconds</c>,
/// <c>process_resident_memory_bytes</c>, <c>process_managed_heap_bytes</c> and <c>process_cpu_seconds_total</c>.
/// </summary>
internal sealed class ProcessMetrics
{
    public ProcessMetrics(IMeterFactory meterFactory, TimeProvider timeProvider)
    {
        var started = timeProvider.GetTimestamp();
        var meter = meterFactory.Create(TelemetryNames.ProcessMeter);
        meter.CreateObservableGauge(
            "process.uptime",
            () => timeProvider.GetElapsedTime(started).TotalSeconds,
            unit: "s",
            description: "Seconds since the process started serving.");
        meter.CreateObservableGauge(
            "process.resident_memory",
            static () => Environment.WorkingSet,
            unit: "By",
            description: "Resident set size of the process.");
        meter.CreateObservableGauge(
            "process.managed_heap",
            static () => GC.GetGCMemoryInfo().HeapSizeBytes,
            unit: "By",
            description: "Managed heap size after the last garbage collection.");
        meter.CreateObservableCounter(
            "process.cpu",
            static () => CpuSeconds(),
            unit: "s",
            description: "User and system CPU time consumed by the process.");
    }

    private static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }
}
