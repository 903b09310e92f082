package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// benchProvider is the provider "bench": no configuration, one resource.
type benchProvider struct{}

var _ provider.Provider = (*benchProvider)(nil)

func newProvider() provider.Provider { return &benchProvider{} }

func (p *benchProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "bench"
}

func (p *benchProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{}
}

func (p *benchProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *benchProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newItemResource}
}

func (p *benchProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}
