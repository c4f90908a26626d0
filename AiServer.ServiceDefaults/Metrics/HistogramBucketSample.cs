namespace AiServer.ServiceDefaults.Metrics;

/// <summary>A cumulative histogram bucket: the number of observations less than or equal to <paramref name="UpperBound"/>.</summary>
/// <param name="UpperBound">The bucket's inclusive upper bound; <see cref="double.PositiveInfinity"/> for the last.</param>
/// <param name="CumulativeCount">Observations at or below the bound.</param>
public readonly record struct HistogramBucketSample(double UpperBound, long CumulativeCount);
