metadata name = 'Failed job executions alert'
metadata description = 'A log alert (scheduled query rule) on the Application Insights component: it fires, per job, when job executions end Failed or TimedOut. The app emits one JobExecutionEnded custom event per ended execution (src/notifications), whose customDimensions carry executionId, jobName and lifecycle. An action group mails an operator when an address is given.'

@description('Required. Name of the alert rule.')
param name string

@description('Optional. Location of the alert rule.')
param location string = resourceGroup().location

@description('Optional. Tags of the alert rule and its action group.')
param tags object = {}

@description('Required. Name of the Application Insights component the app sends its events to.')
param applicationInsightsName string

@description('Optional. Email address told when the alert fires. Empty: the alert shows in the portal only (attach an action group later).')
param alertEmail string = ''

@minValue(1)
@description('Optional. The alert fires when at least this many executions of one job ended Failed or TimedOut within the window.')
param failedExecutionThreshold int = 1

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${name}'
  location: 'global'
  tags: tags
  properties: {
    // At most 12 characters: the sender name of the mail.
    groupShortName: 'ElasticJobs'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// One custom event per ended execution; dcount keeps an event sent twice (delivery is at least once) from counting twice.
var failedExecutionsQuery = '''
customEvents
| where name == "JobExecutionEnded"
| extend lifecycle = tostring(customDimensions.lifecycle), jobName = tostring(customDimensions.jobName), executionId = tostring(customDimensions.executionId)
| where lifecycle in ("Failed", "TimedOut")
| summarize failedExecutions = dcount(executionId) by jobName
'''

resource failedExecutions 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = {
  name: name
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Elastic Jobs: failed job executions'
    description: 'Job executions that ended Failed or TimedOut, per job (JobExecutionEnded custom events).'
    severity: 2
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: failedExecutionsQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'failedExecutions'
          dimensions: [
            {
              name: 'jobName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThanOrEqual'
          threshold: failedExecutionThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: empty(alertEmail) ? [] : [
        actionGroup.id
      ]
    }
  }
}

@description('The name of the alert rule.')
output name string = failedExecutions.name
