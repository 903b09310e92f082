package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// rawtestProvider is the provider "rawtest": one optional string "label", one managed
// resource and two provider-defined functions.
type rawtestProvider struct{}

type providerConfig struct {
	Label types.String `tfsdk:"label"`
}

var (
	_ provider.Provider              = (*rawtestProvider)(nil)
	_ provider.ProviderWithFunctions = (*rawtestProvider)(nil)
)

func newProvider() provider.Provider { return &rawtestProvider{} }

func (p *rawtestProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "rawtest"
}

func (p *rawtestProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{
		Attributes: map[string]pschema.Attribute{
			"label": pschema.StringAttribute{Optional: true},
		},
	}
}

func (p *rawtestProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerConfig
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
}

func (p *rawtestProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newSlowResource}
}

func (p *rawtestProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}

func (p *rawtestProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{newEchoFunction, newBoomFunction}
}
