// ChatAdvisor on Azure Container Apps with Azure Database for PostgreSQL (flexible server): two or more replicas
// sharing conversations, channel state and Direct Line conversations, scaled on HTTP load.
//
//   az deployment group create -g <resource group> -f infra/azure/containerapps.bicep \
//     -p image=<registry>/chatadvisor:<tag> postgresPassword=<password> directLineSigningKey=$(openssl rand -base64 32)
//
// Then point the bot registration (bot.bicep, appBaseUrl = the appUrl output) and the Slack app at the app's address.

targetScope = 'resourceGroup'

@description('Azure region for every resource.')
param location string = resourceGroup().location

@description('Prefix of the resource names.')
@minLength(3)
@maxLength(20)
param name string = 'chatadvisor'

@description('The server image, built with infra/docker/Dockerfile.')
param image string

@description('Registry server of the image when it is private (for example contoso.azurecr.io); empty for a public image.')
param registryServer string = ''

@description('Registry user name (private registries only).')
param registryUsername string = ''

@secure()
@description('Registry password (private registries only).')
param registryPassword string = ''

@description('Administrator login of the PostgreSQL server.')
param postgresLogin string = 'chatadvisor'

@secure()
@description('Administrator password of the PostgreSQL server.')
param postgresPassword string

@secure()
@description('The key every replica signs Web Chat tokens with: base64 of at least 32 bytes (openssl rand -base64 32).')
param directLineSigningKey string

@description('Fewest and most replicas.')
@minValue(1)
param minReplicas int = 2
@minValue(1)
param maxReplicas int = 6

@description('Language model provider: none, openai or azure-openai.')
@allowed([ 'none', 'openai', 'azure-openai' ])
param llmProvider string = 'none'

@secure()
@description('The language model key (empty with llmProvider none).')
param llmApiKey string = ''

@description('Bot Framework App ID (Teams); empty to leave Teams off.')
param botAppId string = ''

@secure()
@description('Bot Framework client secret.')
param botAppPassword string = ''

@description('Tenant of a single-tenant bot.')
param botTenantId string = ''

@secure()
@description('Slack signing secret; empty to leave Slack off.')
param slackSigningSecret string = ''

@secure()
@description('Slack bot token (xoxb-…).')
param slackBotToken string = ''

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${name}-logs'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: '${name}-pg-${uniqueString(resourceGroup().id)}'
  location: location
  sku: {
    name: 'Standard_B1ms'
    tier: 'Burstable'
  }
  properties: {
    version: '15'
    administratorLogin: postgresLogin
    administratorLoginPassword: postgresPassword
    storage: { storageSizeGB: 32 }
    backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' }
    highAvailability: { mode: 'Disabled' }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: postgres
  name: 'chatadvisor'
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
}

// Lets Azure services (the Container Apps environment) reach the server; use a virtual network for stricter isolation.
resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: postgres
  name: 'AllowAzureServices'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${name}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

var connectionString = 'Host=${postgres.properties.fullyQualifiedDomainName};Database=chatadvisor;Username=${postgresLogin};Password=${postgresPassword};SSL Mode=Require'
var privateRegistry = !empty(registryServer)

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: name
  location: location
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      ingress: {
        external: true
        targetPort: 8080
        transport: 'auto'   // HTTP/1.1 with WebSocket upgrades for Direct Line streams
      }
      registries: privateRegistry ? [ { server: registryServer, username: registryUsername, passwordSecretRef: 'registry-password' } ] : []
      secrets: concat([
        { name: 'postgres', value: connectionString }
        { name: 'directline-signing-key', value: directLineSigningKey }
        { name: 'llm-api-key', value: llmApiKey }
        { name: 'bot-app-password', value: botAppPassword }
        { name: 'slack-signing-secret', value: slackSigningSecret }
        { name: 'slack-bot-token', value: slackBotToken }
      ], privateRegistry ? [ { name: 'registry-password', value: registryPassword } ] : [])
    }
    template: {
      containers: [
        {
          name: 'chatadvisor'
          image: image
          resources: { cpu: json('1.0'), memory: '2Gi' }
          env: [
            { name: 'Storage__Provider', value: 'postgres' }
            { name: 'ConnectionStrings__Postgres', secretRef: 'postgres' }
            { name: 'DirectLine__SigningKey', secretRef: 'directline-signing-key' }
            { name: 'Llm__Provider', value: llmProvider }
            { name: 'Llm__ApiKey', secretRef: 'llm-api-key' }
            { name: 'BotFramework__AppId', value: botAppId }
            { name: 'BotFramework__AppPassword', secretRef: 'bot-app-password' }
            { name: 'BotFramework__TenantId', value: botTenantId }
            { name: 'Slack__SigningSecret', secretRef: 'slack-signing-secret' }
            { name: 'Slack__BotToken', secretRef: 'slack-bot-token' }
            // Container Apps' ingress forwards from inside the environment's network.
            { name: 'Http__KnownProxies__0', value: '100.64.0.0/10' }
          ]
          probes: [
            { type: 'Startup', httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5, failureThreshold: 24 }
            { type: 'Readiness', httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 5, failureThreshold: 3 }
            { type: 'Liveness', httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 15, failureThreshold: 4 }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [ { name: 'http', http: { metadata: { concurrentRequests: '40' } } } ]
      }
    }
  }
  dependsOn: [ database, allowAzure ]
}

@description('The public address of the advisor (the web chat page; append /api/messages for the bot registration).')
output appUrl string = 'https://${app.properties.configuration.ingress.fqdn}'
