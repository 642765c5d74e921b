// Azure Bot registration for ChatAdvisor: points the Bot Framework at the server's /api/messages and turns on
// the Microsoft Teams channel. The server itself is hosted wherever you like (App Service, Container Apps, a VM);
// it only needs a public HTTPS address.
//
//   az deployment group create -g <resource group> -f infra/azure/bot.bicep \
//     -p botName=<globally unique name> appBaseUrl=https://chatadvisor.contoso.com microsoftAppId=<App ID>
//
// The same App ID (and its client secret) go into BotFramework:AppId and BotFramework:AppPassword of the server;
// for a single-tenant bot also BotFramework:TenantId.

targetScope = 'resourceGroup'

@description('Name of the Azure Bot resource; it must be globally unique.')
@minLength(2)
@maxLength(64)
param botName string

@description('Name shown to users in Teams.')
@maxLength(42)
param displayName string = 'ChatAdvisor'

@description('Public HTTPS base address of the ChatAdvisor server, for example https://chatadvisor.contoso.com')
param appBaseUrl string

@description('Client id of the Entra app registration the bot authenticates as (BotFramework:AppId).')
param microsoftAppId string

@description('SingleTenant (the default for new bots) or MultiTenant. Must match BotFramework:TenantId: set it for SingleTenant, leave it empty for MultiTenant.')
@allowed([
  'SingleTenant'
  'MultiTenant'
])
param appType string = 'SingleTenant'

@description('Tenant of the app registration (single-tenant bots only).')
param appTenantId string = tenant().tenantId

@description('F0 (free, standard channels such as Teams) or S1.')
@allowed([
  'F0'
  'S1'
])
param sku string = 'F0'

// The messaging endpoint the server maps (BotFrameworkApi.Route).
var messagingEndpoint = endsWith(appBaseUrl, '/') ? '${appBaseUrl}api/messages' : '${appBaseUrl}/api/messages'

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: {
    displayName: displayName
    description: 'Helps developers choose between Django, Flask and FastAPI, citing its sources.'
    endpoint: messagingEndpoint
    msaAppId: microsoftAppId
    msaAppType: appType
    msaAppTenantId: appType == 'SingleTenant' ? appTenantId : ''
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

@description('The messaging endpoint registered for the bot.')
output messagingEndpoint string = messagingEndpoint

@description('The resource id of the bot, for the Azure portal.')
output botResourceId string = bot.id
