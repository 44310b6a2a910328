# The service image for compose.yaml (Docker users); scripts/run.sh is the way without Docker.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project file alone first, so that a change to the code does not fetch the packages again.
COPY src/Did.csproj src/
RUN dotnet restore src/Did.csproj
COPY src/ src/
COPY db/ db/
RUN dotnet publish src/Did.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# The service runs as the image's unprivileged user (APP_UID, 1654). It owns the Asterisk folder, so that a new named
# volume mounted there starts out writable by it; a bind mount must be made writable by that uid on the host.
RUN mkdir -p /var/lib/did/asterisk/backup && chown -R "$APP_UID:$APP_UID" /var/lib/did
USER $APP_UID
# All interfaces inside the container (compose publishes the port on the host's 127.0.0.1 only). The base image's
# ASPNETCORE_HTTP_PORTS is cleared, or Kestrel warns at every start that ASPNETCORE_URLS overrides it.
ENV ASPNETCORE_URLS=http://0.0.0.0:5080 ASPNETCORE_HTTP_PORTS=
EXPOSE 5080
ENTRYPOINT ["dotnet", "Did.dll"]
