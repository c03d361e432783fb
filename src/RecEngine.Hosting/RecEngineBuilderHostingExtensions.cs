using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RecEngine.Hosting;

namespace RecEngine;

/// <summary>Runs the registered engine with the .NET generic host.</summary>
public static class RecEngineBuilderHostingExtensions
{
    /// <summary>
    /// Adds a hosted service that starts the engine when the host starts (training or restoring before the
    /// application serves; invalid options fail the start-up) and, when the host stops, drains the event queue,
    /// writes a snapshot when there is a data directory, and disposes the engine, within the host's shutdown timeout.
    /// </summary>
    /// <param name="builder">The builder from <see cref="RecEngineServiceCollectionExtensions.AddRecEngine"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static RecEngineBuilder UseHostedService(this RecEngineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, RecEngineHostedService>());
        return builder;
    }
}
