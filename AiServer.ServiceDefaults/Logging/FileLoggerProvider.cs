using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Logging;

/// <summary>
/// Writes one line per entry, <c>2026-11-22T07:11:18.123Z ERROR [Category] message</c>, to a size-rolled file on a
/// background writer so a slow disk never blocks a request. Levels are spelled out (INFO, WARN, ERROR, CRIT) so that
/// <c>grep ERROR</c> finds errors.
/// </summary>
[ProviderAlias("File")]
internal sealed class FileLoggerProvider : ILoggerProvider
{
    private readonly Channel<string> _queue = Channel.CreateBounded<string>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly FileLoggerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly string _path;
    private readonly Task _writer;
    private long _writeErrors;

    public FileLoggerProvider(IOptions<FileLoggerOptions> options, TimeProvider timeProvider)
    {
        _options = options.Value;
        _timeProvider = timeProvider;
        _path = System.IO.Path.GetFullPath(_options.Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
        _writer = Task.Run(WriteLoopAsync);
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    internal void Enqueue(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var sb = new StringBuilder(128 + message.Length);
        sb.Append(_timeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
            .Append(' ').Append(LevelText(level))
            .Append(" [").Append(category);
        if (eventId.Id != 0)
        {
            sb.Append('[').Append(eventId.Id).Append(']');
        }

        sb.Append("] ");
        AppendEscaped(sb, message.ReplaceLineEndings(" "));
        if (exception is not null)
        {
            // The stack keeps its lines; control characters in its messages are escaped like the message's.
            sb.Append('\n');
            foreach (var line in exception.ToString().Split('\n'))
            {
                AppendEscaped(sb, line.TrimEnd('\r'));
                sb.Append('\n');
            }

            sb.Length--;
        }

        sb.Append('\n');
        _queue.Writer.TryWrite(sb.ToString());
    }

    /// <summary>
    /// Appends text with every control character (NUL, ESC, DEL, ...) written as <c>\uXXXX</c>: user-supplied text (a
    /// breaker reason, a header, a provider's error message) can neither forge log lines nor turn the file into one that
    /// <c>grep</c> calls binary. Tabs stay.
    /// </summary>
    internal static void AppendEscaped(StringBuilder sb, string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) && c != '\t')
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }
    }

    private static string LevelText(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO ",
        LogLevel.Warning => "WARN ",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRIT ",
        _ => "NONE ",
    };

    /// <summary>Lines that could not be written (disk full, folder removed, ...), for diagnostics.</summary>
    internal long WriteErrors => Interlocked.Read(ref _writeErrors);

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        FileStream? stream = null;
        var consecutiveErrors = 0;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                stream ??= Open();
                while (reader.TryPeek(out var line))
                {
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(line)).ConfigureAwait(false);
                    reader.TryRead(out _);
                    if (stream.Length >= _options.MaxFileSizeBytes)
                    {
                        await stream.DisposeAsync().ConfigureAwait(false);
                        stream = null;
                        Roll();
                        stream = Open();
                    }
                }

                await stream.FlushAsync().ConfigureAwait(false);
                consecutiveErrors = 0;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The file log is best effort, but it must not stop for good: drop the stream, back off, reopen.
                // Lines wait in the bounded queue meanwhile (the oldest are dropped when it is full); the console
                // log still has everything.
                Interlocked.Increment(ref _writeErrors);
                if (stream is not null)
                {
                    await DisposeQuietlyAsync(stream).ConfigureAwait(false);
                    stream = null;
                }

                consecutiveErrors++;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(5000, 50 * (1 << Math.Min(consecutiveErrors, 7))));
                await Task.Delay(backoff, _timeProvider).ConfigureAwait(false);
            }
        }

        if (stream is not null)
        {
            await DisposeQuietlyAsync(stream).ConfigureAwait(false);
        }
    }

    private static async ValueTask DisposeQuietlyAsync(FileStream stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Flushing into a broken file fails again; the stream is released all the same.
        }
    }

    private FileStream Open()
    {
        // The folder may have been removed (log clean-up) since the last open.
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
        return new(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    }

    private void Roll()
    {
        var directory = System.IO.Path.GetDirectoryName(_path)!;
        var stem = System.IO.Path.GetFileNameWithoutExtension(_path);
        var extension = System.IO.Path.GetExtension(_path);
        string Rolled(int i) => System.IO.Path.Combine(directory, $"{stem}.{i}{extension}");

        if (_options.MaxRetainedFiles == 0)
        {
            File.Delete(_path);
            return;
        }

        File.Delete(Rolled(_options.MaxRetainedFiles));
        for (var i = _options.MaxRetainedFiles - 1; i >= 1; i--)
        {
            if (File.Exists(Rolled(i)))
            {
                File.Move(Rolled(i), Rolled(i + 1));
            }
        }

        File.Move(_path, Rolled(1));
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.Wait(TimeSpan.FromSeconds(5));
    }
}
