using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// A Redis string: text, binary data or a number, or null (a missing key). Binary safe; converts implicitly from
/// <see cref="string"/>, <see cref="byte"/> arrays and numbers, explicitly to them (the shape of StackExchange.Redis's
/// <c>RedisValue</c>, so the client can be swapped later).
/// </summary>
public readonly struct RedisValue : IEquatable<RedisValue>
{
    private readonly object? _object;
    private readonly long _number;
    private readonly RedisValueKind _kind;

    private RedisValue(object? obj, long number, RedisValueKind kind)
    {
        _object = obj;
        _number = number;
        _kind = kind;
    }

    /// <summary>The null value (what GET returns for a missing key).</summary>
    public static RedisValue Null => default;

    /// <summary>Whether this is the null value.</summary>
    public bool IsNull => _kind == RedisValueKind.Null;

    /// <summary>Whether this holds a value (not null).</summary>
    public bool HasValue => _kind != RedisValueKind.Null;

    internal RedisValueKind Kind => _kind;

    internal object? RawObject => _object;

    internal long RawInteger => _number;

    internal double RawDouble => BitConverter.Int64BitsToDouble(_number);

    /// <summary>Wraps a string (null gives <see cref="Null"/>).</summary>
    public static implicit operator RedisValue(string? value) =>
        value is null ? default : new RedisValue(value, 0, RedisValueKind.String);

    /// <summary>Wraps bytes without copying them (null gives <see cref="Null"/>); do not change the array while a command uses it.</summary>
    public static implicit operator RedisValue(byte[]? value) =>
        value is null ? default : new RedisValue(value, 0, RedisValueKind.Bytes);

    /// <summary>Wraps an integer.</summary>
    public static implicit operator RedisValue(long value) => new(null, value, RedisValueKind.Integer);

    /// <summary>Wraps an integer.</summary>
    public static implicit operator RedisValue(int value) => new(null, value, RedisValueKind.Integer);

    /// <summary>Wraps a floating-point number (infinities are written as Redis's <c>+inf</c>/<c>-inf</c>).</summary>
    public static implicit operator RedisValue(double value) =>
        new(null, BitConverter.DoubleToInt64Bits(value), RedisValueKind.Double);

    /// <summary>The value as UTF-8 text, or null for <see cref="Null"/>.</summary>
    public static explicit operator string?(RedisValue value) => value.IsNull ? null : value.ToString();

    /// <summary>The value's bytes, or null for <see cref="Null"/>.</summary>
    public static explicit operator byte[]?(RedisValue value) => value.ToArray();

    /// <summary>The value as an integer; throws <see cref="InvalidCastException"/> when it is null or not an integer.</summary>
    public static explicit operator long(RedisValue value) =>
        value.TryParse(out long result) ? result : throw new InvalidCastException($"The Redis value '{value}' is not an integer.");

    /// <summary>The value as an integer, or null for <see cref="Null"/>.</summary>
    public static explicit operator long?(RedisValue value) => value.IsNull ? null : (long)value;

    /// <summary>The value as a floating-point number; throws <see cref="InvalidCastException"/> when it is not a number.</summary>
    public static explicit operator double(RedisValue value)
    {
        switch (value._kind)
        {
            case RedisValueKind.Integer:
                return value._number;
            case RedisValueKind.Double:
                return value.RawDouble;
            case RedisValueKind.Null:
                break;
            default:
                string text = value.ToString();
                if (text is "inf" or "+inf")
                {
                    return double.PositiveInfinity;
                }

                if (text == "-inf")
                {
                    return double.NegativeInfinity;
                }

                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                {
                    return d;
                }

                break;
        }

        throw new InvalidCastException($"The Redis value '{value}' is not a number.");
    }

    /// <summary>Equality by content: text and bytes with the same UTF-8 encoding are equal.</summary>
    public static bool operator ==(RedisValue left, RedisValue right) => left.Equals(right);

    /// <summary>Inequality by content.</summary>
    public static bool operator !=(RedisValue left, RedisValue right) => !left.Equals(right);

    /// <summary>Parses the value as a 64-bit integer.</summary>
    /// <param name="result">The integer when the value is one.</param>
    /// <returns>Whether the value is an integer.</returns>
    public bool TryParse(out long result)
    {
        switch (_kind)
        {
            case RedisValueKind.Integer:
                result = _number;
                return true;
            case RedisValueKind.Bytes:
                var bytes = (byte[])_object!;
                return Utf8Parser.TryParse(bytes, out result, out int consumed) && consumed == bytes.Length && bytes.Length > 0;
            case RedisValueKind.String:
                return long.TryParse((string)_object!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
            default:
                result = 0;
                return false;
        }
    }

    /// <summary>The value's bytes (UTF-8 for text, invariant text for numbers), or null for <see cref="Null"/>.</summary>
    /// <returns>The array held by this value for binary values (not a copy), a new array otherwise.</returns>
    public byte[]? ToArray() => _kind switch
    {
        RedisValueKind.Null => null,
        RedisValueKind.Bytes => (byte[])_object!,
        _ => Encoding.UTF8.GetBytes(ToString()),
    };

    /// <summary>The value as UTF-8 text; empty for <see cref="Null"/>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => _kind switch
    {
        RedisValueKind.Null => string.Empty,
        RedisValueKind.String => (string)_object!,
        RedisValueKind.Bytes => Encoding.UTF8.GetString((byte[])_object!),
        RedisValueKind.Integer => _number.ToString(CultureInfo.InvariantCulture),
        _ => FormatDouble(RawDouble),
    };

    /// <inheritdoc />
    public bool Equals(RedisValue other)
    {
        if (_kind == RedisValueKind.Null || other._kind == RedisValueKind.Null)
        {
            return _kind == other._kind;
        }

        if (_kind == other._kind)
        {
            switch (_kind)
            {
                case RedisValueKind.String:
                    return string.Equals((string)_object!, (string)other._object!, StringComparison.Ordinal);
                case RedisValueKind.Integer:
                case RedisValueKind.Double:
                    return _number == other._number;
                default:
                    break;
            }
        }

        return ToArray().AsSpan().SequenceEqual(other.ToArray());
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RedisValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        if (_kind == RedisValueKind.Null)
        {
            return 0;
        }

        var hash = new HashCode();
        hash.AddBytes(ToArray());
        return hash.ToHashCode();
    }

    internal static string FormatDouble(double value) =>
        double.IsPositiveInfinity(value) ? "+inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
