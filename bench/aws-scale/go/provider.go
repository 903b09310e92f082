package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// awsscaleProvider is the provider "awsscale": an AWS-like configuration block and the
// generated resources of resourceDefs.
type awsscaleProvider struct{}

type providerConfig struct {
	Region                    types.String `tfsdk:"region"`
	Profile                   types.String `tfsdk:"profile"`
	AccessKey                 types.String `tfsdk:"access_key"`
	SecretKey                 types.String `tfsdk:"secret_key"`
	MaxRetries                types.Int64  `tfsdk:"max_retries"`
	SkipCredentialsValidation types.Bool   `tfsdk:"skip_credentials_validation"`
	AllowedAccountIDs         types.Set    `tfsdk:"allowed_account_ids"`
}

var _ provider.Provider = (*awsscaleProvider)(nil)

func newProvider() provider.Provider { return &awsscaleProvider{} }

func (p *awsscaleProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "awsscale"
}

// Schema matches the configuration block of the cppvider provider (awsscale_provider.cpp).
func (p *awsscaleProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{
		Attributes: map[string]pschema.Attribute{
			"region":  pschema.StringAttribute{Optional: true, Description: "The AWS region to manage."},
			"profile": pschema.StringAttribute{Optional: true, Description: "Shared credentials profile."},
			"access_key": pschema.StringAttribute{Optional: true, Sensitive: true,
				Description: "Access key id; the environment is used when unset."},
			"secret_key": pschema.StringAttribute{Optional: true, Sensitive: true,
				Description: "Secret access key; the environment is used when unset."},
			"max_retries": pschema.Int64Attribute{Optional: true, Description: "Retries of a throttled API call."},
			"skip_credentials_validation": pschema.BoolAttribute{Optional: true,
				Description: "Skip the STS GetCallerIdentity call at configuration."},
			"allowed_account_ids": pschema.SetAttribute{ElementType: types.StringType, Optional: true,
				Description: "Refuse to run against other accounts."},
		},
	}
}

func (p *awsscaleProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerConfig
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
}

// Resources returns one factory per generated resource type.
func (p *awsscaleProvider) Resources(context.Context) []func() resource.Resource {
	out := make([]func() resource.Resource, len(resourceDefs))
	for i := range resourceDefs {
		def := &resourceDefs[i]
		out[i] = func() resource.Resource { return &generatedResource{def: def} }
	}
	return out
}

func (p *awsscaleProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}
