namespace AiServer.Providers.FileDownload;

/// <summary>
/// A download failed on the local side: the destination directory is missing, access is denied, the disk is full.
/// Not a <see cref="ProviderException"/>: the remote server did nothing wrong, the failure never counts against the
/// <c>file-download</c> breaker, and retrying the download will not help until the local problem is fixed.
/// </summary>
public sealed class FileDownloadStorageException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The local file that could not be written.</param>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The I/O error.</param>
    public FileDownloadStorageException(string path, string message, Exception? innerException)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>Creates the exception.</summary>
    public FileDownloadStorageException()
        : this(string.Empty, "The download could not be stored.", null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public FileDownloadStorageException(string message)
        : this(string.Empty, message, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The I/O error.</param>
    public FileDownloadStorageException(string message, Exception innerException)
        : this(string.Empty, message, innerException)
    {
    }

    /// <summary>The local file that could not be written.</summary>
    public string Path { get; }
}
