using System.Text.Json;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Options;

/// <summary>Rejects a bad configuration at start with a message naming the key.</summary>
internal sealed class EmulatorOptionsValidator : IValidateOptions<EmulatorOptions>
{
    private static readonly TimeSpan MaxJobDuration = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, EmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        CheckDuration(errors, "Emulator:JobDuration", options.JobDuration);
        if (options.MaxRecordedRequests is < 1 or > 1_000_000)
        {
            errors.Add($"Emulator:MaxRecordedRequests must be between 1 and 1000000 (was {options.MaxRecordedRequests}).");
        }

        if (options.MaxFileSize < 1)
        {
            errors.Add($"Emulator:MaxFileSize must be positive (was {options.MaxFileSize}).");
        }

        if (options.MaxHang <= TimeSpan.Zero)
        {
            errors.Add("Emulator:MaxHang must be positive.");
        }

        Check(errors, "Replicate", options.Replicate);
        Check(errors, "ElevenLabs", options.ElevenLabs);
        Check(errors, "SyncLabs", options.SyncLabs);
        Check(errors, "HuggingFace", options.HuggingFace);
        Check(errors, "Bfl", options.Bfl);
        Check(errors, "Supabase", options.Supabase);

        var secret = options.Replicate.WebhookSecret;
        if (!secret.StartsWith("whsec_", StringComparison.Ordinal) || !IsBase64(secret["whsec_".Length..]))
        {
            errors.Add("Emulator:Replicate:WebhookSecret must be 'whsec_' followed by base64.");
        }

        foreach (var model in options.Replicate.Models)
        {
            if (model.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
            {
                errors.Add($"Emulator:Replicate:Models entries must be 'owner/name' (was '{model}').");
            }
        }

        if (options.ElevenLabs.MaxConcurrentRequests < 1)
        {
            errors.Add("Emulator:ElevenLabs:MaxConcurrentRequests must be at least 1.");
        }

        if (options.ElevenLabs.VoiceLimit < 0 || options.ElevenLabs.CharacterLimit < 1)
        {
            errors.Add("Emulator:ElevenLabs:VoiceLimit must be >= 0 and Emulator:ElevenLabs:CharacterLimit >= 1.");
        }

        if (options.Bfl.MaxActiveTasks < 1)
        {
            errors.Add("Emulator:Bfl:MaxActiveTasks must be at least 1.");
        }

        if (string.IsNullOrWhiteSpace(options.Bfl.WebhookSignatureHeader))
        {
            errors.Add("Emulator:Bfl:WebhookSignatureHeader must not be empty.");
        }

        if (options.HuggingFace.ModelLoadingTime < TimeSpan.Zero)
        {
            errors.Add("Emulator:HuggingFace:ModelLoadingTime must not be negative.");
        }

        foreach (var (fn, json) in options.Supabase.Functions)
        {
            try
            {
                using var _ = JsonDocument.Parse(json);
            }
            catch (JsonException)
            {
                errors.Add($"Emulator:Supabase:Functions:{fn} must be JSON text.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, string section, ProviderOptions provider)
    {
        if (provider.ApiKey is { } key && string.IsNullOrWhiteSpace(key))
        {
            errors.Add($"Emulator:{section}:ApiKey must not be blank (leave it unset to accept any key).");
        }

        if (provider.JobDuration is { } duration)
        {
            CheckDuration(errors, $"Emulator:{section}:JobDuration", duration);
        }

        if (provider.RequestsPerMinute is < 1)
        {
            errors.Add($"Emulator:{section}:RequestsPerMinute must be at least 1 (leave it unset for no limit).");
        }
    }

    private static void CheckDuration(List<string> errors, string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero || value > MaxJobDuration)
        {
            errors.Add($"{key} must be between 00:00:00 and 01:00:00 (was {value}).");
        }
    }

    private static bool IsBase64(string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        return text.Length > 0 && Convert.TryFromBase64String(text, buffer, out _);
    }
}
