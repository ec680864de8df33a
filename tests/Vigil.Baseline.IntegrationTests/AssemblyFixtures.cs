// One redis-server for the whole assembly: every test uses its own key prefix.
[assembly: AssemblyFixture(typeof(Vigil.Testing.RedisServer))]
