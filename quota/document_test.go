package quota_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/quota"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDocumentMatchesTheAccountService(t *testing.T) {
	want, err := os.ReadFile("../testdata/account-service-quotas.response.json") // the account service's example, copied into the repository
	require.NoError(t, err)
	d := quota.NewDocument([]permissions.Quota{{Service: "UNIVERSAL", MethodGroup: "PLAN",
		PointsPerRequest: 15, PointsPerDay: 1500, PointsPerDateWindow: 1500, MaxConcurrentExecution: 5}})
	got, err := json.Marshal(d)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}

func TestDocumentSortsAndMerges(t *testing.T) {
	d := quota.NewDocument([]permissions.Quota{
		{Service: "ROUTING", MethodGroup: "TRACE", PointsPerDay: 5},
		{Service: "ACCOUNT", MethodGroup: "PLAN", PointsPerDay: 1},
		{Service: "ROUTING", MethodGroup: "NOTRACE", PointsPerDay: 2, PointsPerRequest: 3},
		{Service: "ROUTING", MethodGroup: "NOTRACE", PointsPerDay: 9, PointsPerRequest: 0},
	})
	assert.Equal(t, quota.Document{Base: quota.Base{Services: []quota.ServiceQuotas{
		{Service: "ACCOUNT", Methods: []quota.MethodQuotas{{MethodGroup: "PLAN", PointsPerDay: 1}}},
		{Service: "ROUTING", Methods: []quota.MethodQuotas{
			{MethodGroup: "NOTRACE", PointsPerDay: 9, PointsPerRequest: 0},
			{MethodGroup: "TRACE", PointsPerDay: 5},
		}},
	}}}, d)
	empty, err := json.Marshal(quota.NewDocument(nil))
	require.NoError(t, err)
	assert.JSONEq(t, `{"base":{"services":[]}}`, string(empty))
}
