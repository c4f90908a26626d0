using System.Text;

namespace AiServer.Providers.HuggingFace;

/// <summary>
/// Reads lines (ended by CR, LF or CRLF, as in server-sent events) from a UTF-8 stream and throws
/// <see cref="InvalidDataException"/> when a line grows past <c>maxLineChars</c>, instead of buffering it whole as
/// <see cref="StreamReader.ReadLineAsync(CancellationToken)"/> does.
/// </summary>
internal sealed class BoundedLineReader(Stream stream, int maxLineChars) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
    private readonly char[] _buffer = new char[4096];
    private readonly StringBuilder _line = new();
    private int _position;
    private int _length;
    private bool _skipLineFeed;

    /// <summary>The next line without its terminator; null at the end of the stream.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        _line.Clear();
        while (true)
        {
            if (_position == _length)
            {
                _length = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                _position = 0;
                if (_length == 0)
                {
                    return _line.Length > 0 ? _line.ToString() : null;
                }
            }

            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (_buffer[_position] == '\n')
                {
                    _position++;
                    continue;
                }
            }

            var span = _buffer.AsSpan(_position, _length - _position);
            var end = span.IndexOfAny('\r', '\n');
            var take = end < 0 ? span.Length : end;
            if (_line.Length + take > maxLineChars)
            {
                throw new InvalidDataException($"A line is longer than {maxLineChars} characters.");
            }

            _line.Append(span[..take]);
            _position += take;
            if (end >= 0)
            {
                _skipLineFeed = _buffer[_position] == '\r';
                _position++;
                return _line.ToString();
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
