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

        sb.Append("] ").Append(message.ReplaceLineEndings(" "));
        if (exception is not null)
        {
            sb.Append('\n').Append(exception);
        }

        sb.Append('\n');
        _queue.Writer.TryWrite(sb.ToString());
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

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        FileStream? stream = null;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                stream ??= Open();
                while (reader.TryRead(out var line))
                {
                    var bytes = Encoding.UTF8.GetBytes(line);
                    await stream.WriteAsync(bytes).ConfigureAwait(false);
                    if (stream.Length >= _options.MaxFileSizeBytes)
                    {
                        await stream.DisposeAsync().ConfigureAwait(false);
                        Roll();
                        stream = Open();
                    }
                }

                await stream.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The log file is best effort; the console log still has everything.
        }
        catch (UnauthorizedAccessException)
        {
            // As above: a read-only folder must not take the process down.
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private FileStream Open() => new(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

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
